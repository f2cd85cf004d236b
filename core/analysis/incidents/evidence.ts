// Links need evidence: failures close in time but sharing nothing are separate; a hop between systems is
// drawn only when both entries share a request id, a URL, an entity id or a status. A server line at
// info or warn level is the cause when the hops show the step (a CORS preflight answered with 405).
import { simulate } from "../simulate.js";
import { browserClock, SERVER } from "./clocks.js";
import type { Incident } from "./types.js";

export const evidenceIncidents: Incident[] = [
  {
    name: "background-email-error-beside-crash",
    pattern: "no evidence, no link",
    story:
      "A scheduled Convex function fails to send a digest email at the moment the user's page crashes on a null element; nothing ties the two.",
    entries: simulate(
      "inc-unrelated-convex",
      [
        { at: 0, system: "browser", level: "info", message: "page load /chat", source: "ui" },
        {
          at: 300,
          system: "convex",
          level: "error",
          message:
            "Uncaught ConvexError: Email provider rejected the message: 550 5.1.1 The email account that you tried to reach does not exist",
          source: "emails:sendDigest",
          id: "c-email",
        },
        {
          at: 700,
          system: "browser",
          level: "error",
          message: "TypeError: Cannot read properties of null (reading 'addEventListener')",
          stack:
            "TypeError: Cannot read properties of null (reading 'addEventListener')\n    at initChatWidget (http://localhost:5173/src/chat/widget.ts:12:9)\n    at http://localhost:5173/src/main.tsx:31:1",
          source: "window.onerror",
          id: "b-null",
        },
      ],
      { browser: browserClock(200), convex: SERVER },
    ),
    expect: { root: "b-null", separate: [["c-email", "b-null"]], otherChainRoots: ["c-email"] },
  },
  {
    name: "metrics-error-beside-chunk-failure",
    pattern: "no evidence, no link",
    story:
      "The analytics endpoint fails on a missing D1 table while the browser, after a deploy, cannot load a JavaScript chunk.",
    entries: simulate(
      "inc-unrelated-worker",
      [
        { at: 0, system: "browser", message: "navigate /settings", source: "ui" },
        { at: 20, system: "worker", level: "info", message: "POST /api/metrics", source: "api", id: "w-metrics-start" },
        {
          at: 45,
          system: "worker",
          level: "error",
          message: "Error: D1_ERROR: no such table: events: SQLITE_ERROR",
          stack: "Error: D1_ERROR: no such table: events: SQLITE_ERROR\n    at recordEvent (src/metrics.ts:18:9)",
          source: "api",
          id: "w-d1",
        },
        {
          at: 48,
          system: "browser",
          level: "error",
          message:
            "ChunkLoadError: Loading chunk 723 failed.\n(error: https://app.example.com/_next/static/chunks/723.4f1c2a9b.js)",
          stack:
            "ChunkLoadError: Loading chunk 723 failed.\n(error: https://app.example.com/_next/static/chunks/723.4f1c2a9b.js)\n    at __webpack_require__.f.j (https://app.example.com/_next/static/chunks/webpack-8fa1640cc84ba8fe.js:1:3215)",
          source: "window.onunhandledrejection",
          id: "b-chunk",
        },
      ],
      { browser: browserClock(0), worker: { flushEveryMs: 0, latencyMs: 5 } },
    ),
    expect: {
      root: "b-chunk",
      separate: [["w-d1", "b-chunk"]],
      noHops: [["w-d1", "b-chunk"]],
    },
  },
  {
    name: "adjacent-unrelated-entries",
    pattern: "no evidence, no link",
    story:
      "A cron log from the Worker lands 3 ms before an unrelated browser render; the note POST is a real hop (same URL on both sides).",
    entries: simulate(
      "inc-hops",
      [
        { at: 0, system: "browser", message: "click #save-note", source: "ui" },
        { at: 5, system: "browser", message: "POST /api/notes", source: "fetch", id: "b-post" },
        {
          at: 40,
          system: "worker",
          level: "info",
          message: "POST /api/notes 201 in 12ms",
          source: "api",
          id: "w-post",
        },
        {
          at: 900,
          system: "worker",
          level: "info",
          message: "scheduled cleanup removed 12 expired sessions",
          source: "cron",
          id: "w-cron",
        },
        { at: 903, system: "browser", level: "debug", message: "render Header", source: "ui", id: "b-render" },
      ],
      { browser: browserClock(0), worker: { flushEveryMs: 0, latencyMs: 5 } },
    ),
    expect: { root: null, hops: [["b-post", "w-post"]], noHops: [["w-cron", "b-render"]] },
  },
  {
    name: "cors-preflight-405",
    pattern: "server line as cause",
    story:
      "The Worker has no OPTIONS route, answers the CORS preflight with 405 at info level, and the browser blocks the checkout request.",
    entries: simulate(
      "inc-cors",
      [
        { at: 0, system: "browser", message: "click #checkout", source: "ui" },
        {
          at: 3,
          system: "browser",
          message: "POST https://api.example.com/v1/checkout",
          source: "fetch",
          id: "b-fetch",
        },
        {
          at: 40,
          system: "worker",
          level: "info",
          message: "OPTIONS /v1/checkout 405 Method Not Allowed in 1ms",
          source: "router",
          id: "w-405",
        },
        {
          at: 85,
          system: "browser",
          level: "error",
          message:
            "Access to fetch at 'https://api.example.com/v1/checkout' from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status.",
          source: "console",
          id: "b-cors",
        },
        {
          at: 87,
          system: "browser",
          level: "error",
          message: "TypeError: Failed to fetch",
          stack:
            "TypeError: Failed to fetch\n    at startCheckout (https://app.example.com/assets/checkout-Bq81xZ.js:1:902)",
          source: "window.onunhandledrejection",
          id: "b-failed-fetch",
        },
      ],
      { browser: browserClock(600), worker: SERVER },
    ),
    expect: {
      root: "w-405",
      hops: [
        ["b-fetch", "w-405"],
        ["w-405", "b-cors"],
      ],
    },
  },
  {
    name: "turnstile-403-warning",
    pattern: "server line as cause",
    story:
      "The Worker rejects the comment because the Turnstile token is invalid, logging a warning; the browser shows the 403.",
    entries: simulate(
      "inc-turnstile",
      [
        { at: 0, system: "browser", message: "click #post-comment", source: "ui" },
        { at: 4, system: "browser", message: "POST /api/comments", source: "fetch" },
        {
          at: 60,
          system: "worker",
          level: "warn",
          message:
            "POST /api/comments 403 Forbidden: Turnstile verification failed (error-codes: invalid-input-response)",
          source: "api",
          context: { status: 403 },
          id: "w-turnstile",
        },
        {
          at: 120,
          system: "browser",
          level: "error",
          message: "POST https://blog.example.com/api/comments 403 (Forbidden)",
          source: "fetch",
          id: "b-403",
        },
        {
          at: 125,
          system: "browser",
          level: "error",
          message: "Could not post your comment. Please try again.",
          source: "ui",
          id: "b-toast",
        },
      ],
      { browser: browserClock(-700), worker: SERVER },
    ),
    expect: { root: "w-turnstile", hops: [["w-turnstile", "b-403"]] },
  },
];
