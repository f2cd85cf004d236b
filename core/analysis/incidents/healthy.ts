// Traces without a failure that affected the user, some with warnings that sound alarming: the analysis
// names no root cause and says why each alarming line was judged benign.
import { healthyTrace } from "../fixtures.js";
import { simulate } from "../simulate.js";
import { browserClock, SERVER } from "./clocks.js";
import type { Incident } from "./types.js";

const MANY_DOCS =
  "Many documents read in a single function execution (actual: 25945, limit: 32000). Consider using smaller limits in your queries, paginating your queries, or using indexed queries with a selective index range expressions.";

export const healthyIncidents: Incident[] = [
  {
    name: "plain-healthy-flow",
    pattern: "healthy",
    story: "Page load, a query and a mutation across three systems; nothing fails.",
    entries: healthyTrace("inc-healthy"),
    expect: { root: null },
  },
  {
    name: "websocket-reconnect",
    pattern: "healthy",
    story: "The laptop wakes from sleep; Convex's WebSocket drops with 1006, reconnects, and the queries resume.",
    entries: simulate(
      "inc-ws-reconnect",
      [
        { at: 0, system: "browser", level: "info", message: "page visible again", source: "ui" },
        {
          at: 10,
          system: "browser",
          level: "warn",
          message: "WebSocket closed with code 1006: connection lost, reconnecting",
          source: "convex-client",
          id: "b-ws-closed",
        },
        {
          at: 11,
          system: "browser",
          level: "error",
          message: "WebSocket connection to 'wss://happy-otter-123.convex.cloud/api/1.17.0/sync' failed: ",
          source: "console",
          id: "b-ws-failed",
        },
        {
          at: 12,
          system: "browser",
          level: "warn",
          message: "Attempting reconnect in 812ms",
          source: "convex-client",
          id: "b-ws-retry",
        },
        {
          at: 900,
          system: "browser",
          level: "info",
          message: "WebSocket reconnected",
          source: "convex-client",
          id: "b-ws-ok",
        },
        {
          at: 980,
          system: "convex",
          level: "log",
          message: "messages:list returned 42 documents",
          source: "messages:list",
        },
        { at: 1100, system: "browser", message: "rendered MessageList (42 items)", source: "ui" },
      ],
      { browser: browserClock(150), convex: SERVER },
    ),
    expect: { root: null, benign: ["b-ws-closed", "b-ws-failed"] },
  },
  {
    name: "many-documents-read",
    pattern: "healthy",
    story:
      "The orders query reads 25,945 documents, close to Convex's limit but under it; the page renders. A missing key prop warning is printed too.",
    entries: simulate(
      "inc-many-docs",
      [
        { at: 0, system: "browser", level: "info", message: "page load /admin/orders", source: "ui" },
        {
          at: 400,
          system: "convex",
          level: "warn",
          message: `[WARN] ${MANY_DOCS}`,
          source: "orders:list",
          id: "c-many-docs",
        },
        {
          at: 480,
          system: "browser",
          level: "warn",
          message: `[CONVEX Q(orders:list)] [WARN] ${MANY_DOCS}`,
          source: "convex-client",
          id: "b-many-docs",
        },
        {
          at: 520,
          system: "browser",
          level: "error",
          message:
            'Warning: Each child in a list should have a unique "key" prop.\n\nCheck the render method of `OrderTable`. See https://reactjs.org/link/warning-keys for more information.\n    at OrderRow (http://localhost:5173/src/admin/OrderRow.tsx:12:3)',
          source: "console",
          id: "b-key-warning",
        },
        { at: 560, system: "browser", message: "rendered OrderTable (25945 rows, virtualised)", source: "ui" },
      ],
      { browser: browserClock(-400), convex: SERVER },
    ),
    expect: { root: null, benign: ["c-many-docs", "b-key-warning"] },
  },
  {
    name: "dev-server-chatter",
    pattern: "healthy",
    story:
      "A development session full of tooling output: HMR, DevTools hints, deprecations and violations; nothing fails.",
    entries: simulate(
      "inc-dev-chatter",
      [
        { at: 0, system: "browser", level: "debug", message: "[vite] connecting...", source: "console" },
        { at: 5, system: "browser", level: "debug", message: "[vite] connected.", source: "console" },
        {
          at: 30,
          system: "browser",
          level: "info",
          message:
            "Download the React DevTools for a better development experience: https://reactjs.org/link/react-devtools",
          source: "console",
        },
        {
          at: 90,
          system: "browser",
          level: "warn",
          message:
            "⚠️ React Router Future Flag Warning: React Router will begin wrapping state updates in `React.startTransition` in v7. You can use the `v7_startTransition` future flag to opt-in early.",
          source: "console",
          id: "b-router-flag",
        },
        {
          at: 140,
          system: "worker",
          level: "warn",
          message:
            "(node:1) [DEP0040] DeprecationWarning: The `punycode` module is deprecated. Please use a userland alternative instead.",
          source: "dev",
          id: "w-dep",
        },
        {
          at: 300,
          system: "browser",
          level: "warn",
          message: "[Violation] 'requestAnimationFrame' handler took 58ms",
          source: "console",
        },
        {
          at: 2_000,
          system: "browser",
          level: "debug",
          message: "[vite] hot updated: /src/App.tsx",
          source: "console",
        },
        { at: 2_300, system: "worker", level: "info", message: "GET /api/me 200 in 8ms", source: "api" },
      ],
      { browser: browserClock(0), worker: SERVER },
    ),
    expect: { root: null, benign: ["w-dep"] },
  },
];
