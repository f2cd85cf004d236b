// The seed's read path: a Convex action fetches a trace from Redis with @upstash/redis and correlates it there,
// with core's store and analysis as they are (pure TypeScript, nothing of the Worker).
import { Redis } from "@upstash/redis";
import { v } from "convex/values";
import { loadConfig } from "../../core/config.js";
import { correlate } from "../../core/query-correlate-trace.js";
import { LogStore } from "../../core/store/log-store.js";
import { action } from "./_generated/server.js";

export const correlateTrace = action({
  args: { traceId: v.string() },
  handler: async (_ctx, { traceId }) => {
    const config = loadConfig(process.env);
    const redis = new Redis({ url: config.redisUrl!, token: config.redisToken!, automaticDeserialization: false });
    const { view, text } = await correlate(new LogStore(redis, config), traceId);
    return {
      summary: view.summary,
      root: view.root_cause ? { source: view.root_cause.source ?? null, message: view.root_cause.message } : null,
      text,
    };
  },
});
