// The free-plan shipping action: a mutation schedules it with the lines it logged.
import { shipLogs, shipLogsArgs } from "../../clients/convex/index.js";
import { internalAction } from "./_generated/server.js";

export const ship = internalAction({
  args: shipLogsArgs,
  handler: async (_ctx, args) => {
    await shipLogs(args, { endpoint: process.env.DEBUG_LOGS_URL!, token: process.env.DEBUG_LOGS_INGEST_TOKEN! });
  },
});
