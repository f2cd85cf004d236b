// A checkout mutation as an app writes it: logs with the trace id the browser passed, and on a declined card logs
// the failure, schedules the shipping and returns the error (a throw would roll the scheduled shipping back).
import { v } from "convex/values";
import { mutationLogger } from "../../clients/convex/index.js";
import { makeFunctionReference } from "convex/server";
import { mutation, query } from "./_generated/server.js";

// With codegen this is `internal.debugLogs.ship`.
const shipLogsAction = makeFunctionReference<"action">("debugLogs:ship");

export const createPaymentIntent = mutation({
  args: { traceId: v.optional(v.string()), amount: v.number() },
  handler: async (ctx, { traceId, amount }) => {
    const log = mutationLogger({ traceId, source: "payments:createPaymentIntent" });
    log.info("creating payment intent", { amount, card: "4242 4242 4242 4242" });
    try {
      if (amount > 1000) throw new Error(`card declined for amount ${amount}`);
      return { ok: true };
    } catch (error) {
      log.error(error as Error);
      return { ok: false, error: (error as Error).message };
    } finally {
      await log.ship(ctx.scheduler, shipLogsAction);
    }
  },
});

/** What a mutation that tries to post its logs itself runs into. */
export const postFromMutation = mutation({
  args: { url: v.string() },
  handler: async (_ctx, { url }) => {
    await fetch(url, { method: "POST", body: "[]" });
  },
});

/** Queries have no scheduler: their logs travel only through a log stream. */
export const hasScheduler = query({
  args: {},
  handler: async (ctx) => "scheduler" in ctx,
});

/** Ships, then throws: Convex rolls the scheduled shipping back with the rest of the mutation. */
export const shipThenThrow = mutation({
  args: { traceId: v.string() },
  handler: async (ctx, { traceId }) => {
    const log = mutationLogger({ traceId, source: "payments:shipThenThrow" });
    log.error("about to fail");
    await log.ship(ctx.scheduler, shipLogsAction);
    throw new Error("declined");
  },
});
