import { afterEach, describe, expect, it, vi } from "vitest";
import { loggedTraceId } from "../../core/convex/log-stream.js";
import { logTraceId, mutationLogger, MAX_SHIPPED_ENTRIES } from "./index.js";

afterEach(() => vi.restoreAllMocks());

describe("mutationLogger", () => {
  it("collects redacted entries under the trace, with stacks, capped and counted", () => {
    const log = mutationLogger({ traceId: "t-1", source: "payments:pay", userId: "u1" });
    log.info("charging", { token: "sk_live_abcdefghijklmnopqrstuvwx", amount: 3 });
    log.error(new TypeError("bad amount"));
    const { entries } = log.pending;
    expect(entries).toMatchObject([
      { trace_id: "t-1", system: "convex", level: "info", source: "payments:pay", user_id: "u1", message: "charging" },
      { level: "error", message: "TypeError: bad amount", stack: expect.stringContaining("TypeError: bad amount") },
    ]);
    expect(entries[0]!.context).toEqual({ token: "[REDACTED]", amount: 3 });
    expect(new Set(entries.map((e) => e.id)).size).toBe(2);
    for (let i = 0; i < MAX_SHIPPED_ENTRIES + 5; i++) log.debug(`line ${i}`);
    expect(log.pending.entries).toHaveLength(MAX_SHIPPED_ENTRIES);
    expect(log.pending.dropped).toBe(7);
  });

  it("keeps nothing and schedules nothing without a valid trace id", async () => {
    const log = mutationLogger({ traceId: "has space" });
    log.error("lost");
    const runAfter = vi.fn();
    await log.ship({ runAfter } as never, {} as never);
    expect(log.pending.entries).toEqual([]);
    expect(runAfter).not.toHaveBeenCalled();
  });
});

describe("logTraceId", () => {
  it("writes the line the log stream reads the trace from", () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    logTraceId("4bf92f3577b34da6a3ce929d0e0e4736");
    logTraceId("not valid!");
    expect(info).toHaveBeenCalledTimes(1);
    const line = String(info.mock.calls[0]![0]);
    expect(loggedTraceId(line)).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });
});
