// Realistic traces for the debug page and its API, posted through the real POST /log: a checkout that fails in
// Convex and surfaces in the browser, with the browser's clock ahead, a Worker in between and repeated lines.
import { expect } from "vitest";

export interface Target {
  url: string;
  ingestToken: string;
}

/** How far the browser's clock runs ahead of the server's in the checkout trace, ms. */
export const BROWSER_AHEAD_MS = 4000;
/** Consecutive identical browser warnings in the checkout trace (folded on the page). */
export const REPEATS = 12;

export const uid = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

export async function postLog(target: Target, body: unknown): Promise<void> {
  const res = await fetch(`${target.url}/log`, {
    method: "POST",
    headers: { authorization: `Bearer ${target.ingestToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(202);
}

/** Rows of the checkout trace on the page: the repeated warnings and the four retries each fold into one. */
export const checkoutRows = (count: number) => count - (REPEATS - 1) - 3;

/**
 * Posts the checkout failure (server entries 300 ms after the browser's, so a few ms of latency in the
 * clock estimate never reorders them); returns its trace id and entry count. Entry ids are `<trace>-<name>`:
 * b* browser, w* worker, c* convex; `c-err` is the Convex TypeError, `b-err` the browser's report of it.
 */
export async function postCheckoutTrace(target: Target, requestId = "req-8f3a1b2c") {
  const trace = uid("checkout");
  const t0 = Date.now() - 5000;
  const server = (dt: number) => t0 + dt;
  const browser = (dt: number) => t0 + dt + BROWSER_AHEAD_MS;
  const entry = (name: string, system: string, level: string, message: string, at: number, extra = {}) => ({
    id: `${trace}-${name}`,
    trace_id: trace,
    system,
    level,
    message,
    timestamp: at,
    user_id: "user-ann",
    ...extra,
  });
  const browserEntries = [
    entry("b1", "browser", "info", "click #checkout", browser(0), { source: "checkout-page" }),
    ...Array.from({ length: REPEATS }, (_, i) =>
      entry(`b-rep${i}`, "browser", "warn", "Each child in a list should have a unique key prop.", browser(5 + i)),
    ),
    entry("b2", "browser", "log", `POST /api/checkout request_id=${requestId}`, browser(20)),
    entry(
      "b-err",
      "browser",
      "error",
      `Checkout failed: 500 Internal Server Error (request_id=${requestId})`,
      browser(1000),
      {
        stack:
          "Error: Checkout failed: 500 Internal Server Error\n    at submit (https://shop.test/assets/checkout.js:10:5)\n    at HTMLButtonElement.onClick (https://shop.test/assets/checkout.js:3:9)",
        context: { status: 500, note: "<img src=x onerror=alert(1)>" },
      },
    ),
  ];
  const workerEntries = [
    entry("w1", "worker", "info", `POST /api/checkout -> convex request_id=${requestId}`, server(300)),
    entry("w2", "worker", "warn", `upstream answered 500 after 610 ms request_id=${requestId}`, server(900)),
  ];
  const convexEntries = [
    entry("c1", "convex", "info", `checkout:create start request_id=${requestId}`, server(320)),
    ...[1, 2, 3, 4].map((n) =>
      entry(`c-retry${n}`, "convex", "warn", "retrying payment provider", server(320 + n * 80)),
    ),
    entry(
      "c-err",
      "convex",
      "error",
      `TypeError: Cannot read properties of undefined (reading 'amount') request_id=${requestId}`,
      server(800),
      {
        stack:
          "TypeError: Cannot read properties of undefined (reading 'amount')\n    at createCheckout (convex/checkout.ts:42:17)\n    at handler (convex/_generated/server.js:10:3)",
      },
    ),
  ];
  // Each system sends its own batch stamped with its own clock: the browser's reads ahead. A cold Worker's
  // first answer takes long enough to blur that reading, so wake it first.
  await fetch(`${target.url}/health`);
  await postLog(target, { sent_at: Date.now() + BROWSER_AHEAD_MS, entries: browserEntries });
  await postLog(target, { sent_at: Date.now(), entries: workerEntries });
  await postLog(target, { sent_at: Date.now(), entries: convexEntries });
  return { trace, count: browserEntries.length + workerEntries.length + convexEntries.length };
}

/** A healthy trace from the browser only. */
export async function postHealthyTrace(target: Target): Promise<string> {
  const trace = uid("healthy");
  const now = Date.now();
  await postLog(target, {
    sent_at: now,
    entries: [
      { trace_id: trace, system: "browser", level: "info", message: "page loaded", timestamp: now - 50 },
      { trace_id: trace, system: "browser", level: "log", message: "cart has 2 items", timestamp: now - 10 },
    ],
  });
  return trace;
}

/** A long trace: `count` entries from browser and convex, one error near the end. Batches of 500. */
export async function postLongTrace(target: Target, count: number): Promise<string> {
  const trace = uid("long");
  const t0 = Date.now() - count;
  for (let start = 0; start < count; start += 500) {
    const entries = Array.from({ length: Math.min(500, count - start) }, (_, k) => {
      const i = start + k;
      const error = i === count - 10;
      return {
        id: `${trace}-${i}`,
        trace_id: trace,
        system: i % 3 === 0 && !error ? "convex" : "browser",
        level: error ? "error" : "log",
        message: error ? `Error: sync failed at item ${i}` : `processed item ${i}`,
        timestamp: t0 + i,
      };
    });
    await postLog(target, { sent_at: Date.now(), entries });
  }
  return trace;
}
