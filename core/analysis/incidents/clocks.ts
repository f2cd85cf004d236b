// Clock and batching behaviour shared by the incident traces: a browser that flushes every second over a
// variable network, servers that flush every 100 ms from a data centre.
import type { ClockSpec } from "../simulate.js";

export const browserClock = (skewMs: number): ClockSpec => ({
  skewMs,
  flushEveryMs: 1000,
  latencyMs: (b) => 40 + ((b * 37) % 60),
});
export const SERVER: ClockSpec = { flushEveryMs: 100, latencyMs: 25 };
