// Realistic multi-system traces for the analysis tests, the MCP tool tests and the benchmarks, built with
// the simulator in simulate.ts (re-exported here so callers need one import).
import type { Level, LogEntry, System } from "../schema.js";
import { random, simulate, T0, type ClockSpec, type FixtureEvent } from "./simulate.js";

export * from "./simulate.js";

const BROWSER: ClockSpec = { flushEveryMs: 1000, latencyMs: (b) => 40 + ((b * 37) % 60) };
const SERVER: ClockSpec = { flushEveryMs: 100, latencyMs: 25 };

/** A healthy send-message flow whose browser clock is `skewMs` ahead (4.2 s by default). */
export function skewedBrowserTrace(skewMs = 4200, traceId = "trace-skewed"): LogEntry[] {
  return simulate(
    traceId,
    [
      { at: 0, system: "browser", message: "click #send", source: "ui", id: "b-click" },
      { at: 5, system: "browser", level: "debug", message: "calling mutation messages:send", source: "ui" },
      {
        at: 120,
        system: "convex",
        level: "info",
        message: "messages:send called by user_8812",
        source: "messages:send",
        id: "c-start",
      },
      {
        at: 135,
        system: "convex",
        level: "info",
        message: "inserted message j57bx0c9k3yq",
        source: "messages:send",
        id: "c-done",
      },
      {
        at: 260,
        system: "browser",
        message: "mutation messages:send resolved in 255ms",
        source: "ui",
        id: "b-resolved",
      },
      {
        at: 300,
        system: "browser",
        level: "debug",
        message: "rendered MessageList (42 items)",
        source: "ui",
        id: "b-render",
      },
    ],
    { browser: { ...BROWSER, skewMs }, convex: SERVER },
  );
}

export const REQUEST_ID = "8f3a1b2c4d5e6f70";
const CONVEX_STACK = `Error: Message too long (2412 > 2000 characters)
    at handler (../convex/messages.ts:14:11)
    at invokeMutation (../node_modules/convex/dist/esm/server/impl/registration_impl.js:33:14)`;

/**
 * A convex mutation throws and the browser reports it with the same request id. The browser clock is
 * 3 s behind, so raw timestamps put the browser error before its cause.
 */
export function propagatedErrorTrace(traceId = "trace-propagated"): LogEntry[] {
  const ctx = { request_id: REQUEST_ID };
  return simulate(
    traceId,
    [
      { at: 0, system: "browser", message: "click #send", source: "ui", id: "b-click" },
      {
        at: 90,
        system: "convex",
        level: "info",
        message: "messages:send called",
        source: "messages:send",
        context: ctx,
        id: "c-called",
      },
      {
        at: 105,
        system: "convex",
        level: "error",
        message: "Uncaught Error: Message too long (2412 > 2000 characters)",
        stack: CONVEX_STACK,
        source: "messages:send",
        context: ctx,
        id: "c-error",
      },
      {
        at: 190,
        system: "browser",
        level: "error",
        message: `[CONVEX M(messages:send)] [Request ID: ${REQUEST_ID}] Server Error\nUncaught Error: Message too long (2412 > 2000 characters)\n    at handler (../convex/messages.ts:14:11)\n\n  Called by client`,
        stack: `Error: [CONVEX M(messages:send)] [Request ID: ${REQUEST_ID}] Server Error
    at ConvexReactClient.mutation (http://localhost:5173/node_modules/.vite/deps/convex_react.js?v=1a2b3c4d:1340:19)
    at async sendMessage (http://localhost:5173/src/Chat.tsx:42:7)
    at async onSubmit (http://localhost:5173/src/Chat.tsx:88:5)`,
        source: "console",
        id: "b-error",
      },
      {
        at: 195,
        system: "browser",
        level: "warn",
        message: "Send failed, showing toast to the user",
        source: "ui",
        id: "b-toast",
      },
      {
        at: 900,
        system: "browser",
        level: "info",
        message: "draft restored (2412 characters)",
        source: "ui",
        id: "b-draft",
      },
    ],
    { browser: { ...BROWSER, skewMs: -3000 }, convex: SERVER },
  );
}

/**
 * The browser retries POST /api/summarize six times while the worker's upstream times out, then gives up.
 * The browser clock is 1.5 s ahead.
 */
export function retryStormTrace(attempts = 6, traceId = "trace-retry"): LogEntry[] {
  const events: FixtureEvent[] = [
    { at: 0, system: "browser", message: "click #summarize", source: "ui", id: "b-click" },
  ];
  let t = 10;
  for (let k = 1; k <= attempts; k++) {
    const req = `req_${(0x5a17 * k).toString(16)}9c2e`;
    events.push(
      {
        at: t,
        system: "browser",
        level: "debug",
        message: `POST /api/summarize (attempt ${k}/${attempts})`,
        source: "fetch",
      },
      { at: t + 30, system: "worker", level: "info", message: `POST /api/summarize request_id=${req}`, source: "api" },
      {
        at: t + 2030,
        system: "worker",
        level: "error",
        message: `Upstream AI request timed out after 2000ms, returning 504 (request_id=${req})`,
        source: "api",
        context: { status: 504, upstream: "https://ai.example.com/v1/complete" },
        id: `w-timeout-${k}`,
      },
      {
        at: t + 2070,
        system: "browser",
        level: "warn",
        message: `POST /api/summarize failed with status 504, retrying (attempt ${k}/${attempts})`,
        source: "fetch",
        id: `b-retry-${k}`,
      },
    );
    t += 2070 + 250 * 2 ** k;
  }
  events.push({
    at: t,
    system: "browser",
    level: "error",
    message: `Error: Summarize failed after ${attempts} attempts: status 504`,
    stack: `Error: Summarize failed after ${attempts} attempts: status 504\n    at summarize (http://localhost:5173/src/summary.ts:61:13)`,
    source: "console",
    id: "b-gave-up",
  });
  return simulate(traceId, events, { browser: { ...BROWSER, skewMs: 1500 }, worker: { latencyMs: 5 } });
}

/** Page load, a query and a mutation across three systems; no failures. */
export function healthyTrace(traceId = "trace-healthy"): LogEntry[] {
  const events: FixtureEvent[] = [];
  const steps: Array<[System, Level, string]> = [
    ["browser", "info", "page load /chat"],
    ["worker", "info", "GET /chat 200 in 12ms"],
    ["browser", "debug", "convex client connected"],
    ["convex", "log", "messages:list returned 42 documents"],
    ["browser", "log", "rendered MessageList (42 items)"],
    ["browser", "warn", "slow render: MessageList took 48ms"],
    ["browser", "log", "click #send"],
    ["convex", "info", "messages:send inserted j57bx0c9k3yq"],
    ["browser", "log", "mutation messages:send resolved"],
    ["convex", "log", "messages:list returned 43 documents"],
    ["browser", "log", "rendered MessageList (43 items)"],
  ];
  steps.forEach(([system, level, message], i) => events.push({ at: i * 150, system, level, message }));
  return simulate(traceId, events, { browser: { ...BROWSER, skewMs: 250 }, convex: SERVER, worker: SERVER });
}

/**
 * A long busy session: renders, queries and requests across systems, an 8 s idle gap in the middle,
 * occasional not-found errors that convex raises and the browser reports, and one browser TypeError.
 */
export function noisyTrace(count = 5000, seed = 7, traceId = "trace-noisy"): LogEntry[] {
  const rnd = random(seed);
  const events: FixtureEvent[] = [];
  let t = 0;
  for (let i = 0; events.length < count - 1; i++) {
    t += Math.floor(rnd() * 40);
    if (i === Math.floor(count / 2)) t += 8000;
    const roll = rnd();
    const doc = `k${Math.floor(rnd() * 1e9).toString(36)}7q`;
    if (roll < 0.45) events.push({ at: t, system: "browser", level: "debug", message: `render Row ${i % 50}` });
    else if (roll < 0.7)
      events.push({ at: t, system: "convex", message: `messages:list returned ${i % 97} documents` });
    else if (roll < 0.9)
      events.push({ at: t, system: "worker", level: "info", message: `GET /api/feed 200 in ${i % 30}ms` });
    else if (roll < 0.99) events.push({ at: t, system: "browser", message: `poll tick ${i}` });
    else {
      events.push({ at: t, system: "convex", level: "error", message: `Uncaught Error: Document not found: ${doc}` });
      events.push({
        at: t + 60,
        system: "browser",
        level: "error",
        message: `[CONVEX Q(messages:get)] Server Error: Document not found: ${doc}`,
      });
    }
  }
  events.length = count - 1;
  events.push({
    at: t + 50,
    system: "browser",
    level: "error",
    message: "TypeError: Cannot read properties of undefined (reading 'author')",
    stack:
      "TypeError: Cannot read properties of undefined (reading 'author')\n    at Row (http://localhost:5173/src/Row.tsx:17:31)",
  });
  return simulate(traceId, events, {
    browser: { ...BROWSER, skewMs: -2200 },
    convex: SERVER,
    worker: { latencyMs: 5 },
  });
}

const chromeStack = (line: number, col: number, hash: string) =>
  `TypeError: Cannot read properties of undefined (reading 'name')
    at UserBadge (https://app.example.com/assets/index-${hash}.js:${line}:${col})
    at renderWithHooks (https://app.example.com/node_modules/react-dom/cjs/react-dom.development.js:16305:18)
    at ChatHeader (https://app.example.com/assets/index-${hash}.js:${line + 40}:${col + 3})`;

/**
 * Errors from several traces for grouping: the same errors with different ids, numbers, uuids, urls,
 * line numbers and build hashes, next to errors that must stay apart (other status, system or code path).
 * Ids say which group an entry belongs to: `<group>-<n>`.
 */
export function errorGroupFixture(): LogEntry[] {
  const base = (id: string, i: number, system: System, message: string, stack?: string): LogEntry => {
    const e: LogEntry = {
      id,
      trace_id: `trace-g${i % 4}`,
      system,
      level: "error",
      message,
      timestamp: T0 + i * 1000,
      received_at: T0 + i * 1000 + 50,
    };
    if (stack) e.stack = stack;
    return e;
  };
  const typeErrorMessage = "TypeError: Cannot read properties of undefined (reading 'name')";
  return [
    base("badge-1", 1, "browser", typeErrorMessage, chromeStack(101, 17, "a1B2c3D4")),
    base("badge-2", 2, "browser", typeErrorMessage, chromeStack(99, 21, "Zx9Y8w7V")),
    base("badge-3", 3, "browser", typeErrorMessage, chromeStack(140, 5, "Qq1Rr2Ss")),
    base("user-1", 4, "convex", "Uncaught Error: Failed to load user 1234 at 2025-01-15T12:00:04.000Z"),
    base("user-2", 5, "convex", "Uncaught Error: Failed to load user 98765 at 2025-01-15T12:31:09.512Z"),
    base("user-3", 6, "convex", "Uncaught Error: Failed to load user 55 at 2025-01-16"),
    base(
      "session-1",
      6,
      "worker",
      "Session 0b9c6f1e-54d2-4c1a-9a3e-7f2d1c0b9a88 expired for https://app.example.com/chat?x=1",
    ),
    base(
      "session-2",
      7,
      "worker",
      "Session 7d1e2f3a-0000-4b5c-8d9e-abcdefabcdef expired for https://app.example.com/settings",
    ),
    base("http500-1", 7, "worker", "Request to https://api.example.com/v1/users/42 failed with status 500"),
    base("http500-2", 8, "worker", "Request to https://api.example.com/v1/users/7?expand=team failed with status 500"),
    base("http404-1", 9, "worker", "Request to https://api.example.com/v1/users/42 failed with status 404"),
    base("email-1", 10, "convex", 'Uncaught Error: No account for "ada@example.com" (id 0x1f3a)'),
    base("email-2", 11, "convex", 'Uncaught Error: No account for "grace@example.org" (id 0x9bc2)'),
    base("auth-convex-1", 12, "convex", "Uncaught Error: Not authorized"),
    base("auth-browser-1", 13, "browser", "Uncaught Error: Not authorized"),
    base(
      "ff-1",
      14,
      "browser",
      "TypeError: user is undefined",
      "UserCard@http://localhost:5173/src/UserCard.tsx:12:9\nrender@http://localhost:5173/node_modules/.vite/deps/react.js:5:3",
    ),
    base(
      "ff-2",
      15,
      "browser",
      "TypeError: user is undefined",
      "UserCard@http://localhost:5173/src/UserCard.tsx:14:2\nrender@http://localhost:5173/node_modules/.vite/deps/react.js:9:1",
    ),
    base(
      "other-path-1",
      16,
      "browser",
      "TypeError: user is undefined",
      "ProfilePage@http://localhost:5173/src/Profile.tsx:30:4",
    ),
  ];
}
