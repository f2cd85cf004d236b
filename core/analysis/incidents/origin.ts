// Where the chain starts: the browser can be the origin (a failed session refresh, bad arguments), and a
// chain the user moved past ranks below the failure the trace ends with.
import { simulate } from "../simulate.js";
import { browserClock, SERVER } from "./clocks.js";
import type { Incident } from "./types.js";

export const originIncidents: Incident[] = [
  {
    name: "supabase-refresh-failed-then-401s",
    pattern: "browser origin",
    story:
      "supabase-js cannot refresh the session (the refresh token was revoked), so the next API calls carry an expired JWT and the Worker answers 401.",
    entries: simulate(
      "inc-refresh-401",
      [
        {
          at: 0,
          system: "browser",
          level: "info",
          message: "tab visible again after 3h, refreshing session",
          source: "auth",
        },
        {
          at: 180,
          system: "browser",
          level: "error",
          message: "AuthApiError: Invalid Refresh Token: Refresh Token Not Found",
          stack:
            "AuthApiError: Invalid Refresh Token: Refresh Token Not Found\n    at handleError (http://localhost:5173/node_modules/.vite/deps/@supabase_supabase-js.js:4522:9)\n    at async _handleRequest (http://localhost:5173/node_modules/.vite/deps/@supabase_supabase-js.js:4572:5)\n    at async _refreshAccessToken (http://localhost:5173/node_modules/.vite/deps/@supabase_supabase-js.js:5890:20)",
          source: "auth",
          id: "b-refresh",
        },
        { at: 400, system: "browser", message: "GET /api/orders", source: "fetch" },
        {
          at: 440,
          system: "worker",
          level: "warn",
          message: "GET /api/orders 401 Unauthorized: JWT expired (PGRST301)",
          source: "api",
          context: { status: 401, code: "PGRST301" },
          id: "w-401",
        },
        {
          at: 500,
          system: "browser",
          level: "error",
          message: "GET https://shop.example.com/api/orders 401 (Unauthorized)",
          source: "fetch",
          id: "b-401",
        },
        {
          at: 505,
          system: "browser",
          level: "error",
          message: "Failed to load orders: Unauthorized",
          source: "console",
          id: "b-orders",
        },
      ],
      { browser: browserClock(900), worker: SERVER },
    ),
    expect: { root: "b-refresh" },
  },
  {
    name: "browser-sends-invalid-date",
    pattern: "browser origin",
    story:
      "The date picker fails to format the due date and the form sends the task without it; Convex's validator rejects the mutation.",
    entries: simulate(
      "inc-invalid-date",
      [
        { at: 0, system: "browser", message: "click #save-task", source: "ui" },
        {
          at: 4,
          system: "browser",
          level: "error",
          message: "Could not format `dueDate`: RangeError: Invalid time value",
          stack:
            "RangeError: Invalid time value\n    at Date.toISOString (<anonymous>)\n    at toPayload (http://localhost:5173/src/tasks/TaskForm.tsx:58:31)\n    at onSubmit (http://localhost:5173/src/tasks/TaskForm.tsx:71:20)",
          source: "console",
          id: "b-range",
        },
        {
          at: 70,
          system: "convex",
          level: "error",
          message:
            'ArgumentValidationError: Object is missing the required field `dueDate`. Consider wrapping the field validator in `v.optional(...)` if this is expected.\n\nObject: {priority: "high", title: "Ship the invoice export"}\nValidator: v.object({dueDate: v.string(), priority: v.string(), title: v.string()})',
          source: "tasks:create",
          context: { request_id: "0c4e8a19f2b7d6a3" },
          id: "c-validator",
        },
        {
          at: 130,
          system: "browser",
          level: "error",
          message:
            "Error: [CONVEX M(tasks:create)] [Request ID: 0c4e8a19f2b7d6a3] Server Error\nArgumentValidationError: Object is missing the required field `dueDate`. Consider wrapping the field validator in `v.optional(...)` if this is expected.\n\n  Called by client",
          source: "window.onunhandledrejection",
          id: "b-mutation",
        },
      ],
      { browser: browserClock(-2500), convex: SERVER },
    ),
    expect: { root: "b-range" },
  },
  {
    name: "upload-error-then-checkout-failure",
    pattern: "stale chain",
    story:
      "An avatar upload fails with 413 and the user moves on; 20 s later checkout fails because the cart mutation throws. The user reports the checkout.",
    entries: simulate(
      "inc-stale-upload",
      [
        { at: 0, system: "browser", message: "click #upload-avatar", source: "ui" },
        {
          at: 60,
          system: "worker",
          level: "error",
          message: "POST /api/upload 413 Payload Too Large: avatar.heic is 14.2 MB, the limit is 10 MB",
          source: "api",
          context: { status: 413 },
          id: "w-413",
        },
        {
          at: 120,
          system: "browser",
          level: "error",
          message: "POST https://shop.example.com/api/upload 413 (Payload Too Large)",
          source: "fetch",
          id: "b-413",
        },
        {
          at: 125,
          system: "browser",
          level: "warn",
          message: "Upload failed: the file is too large (413)",
          source: "ui",
          id: "b-upload-toast",
        },
        { at: 9_000, system: "browser", message: "navigate /cart", source: "ui" },
        { at: 9_050, system: "convex", level: "log", message: "cart:get returned 3 items", source: "cart:get" },
        { at: 20_000, system: "browser", message: "click #checkout", source: "ui" },
        {
          at: 20_070,
          system: "convex",
          level: "error",
          message: "Uncaught Error: Shipping rate not found for country 'CH' (cart jd7f2m0q8x)",
          stack:
            "Error: Shipping rate not found for country 'CH' (cart jd7f2m0q8x)\n    at shippingFor (../convex/lib/shipping.ts:19:11)\n    at handler (../convex/checkout.ts:42:26)",
          source: "checkout:start",
          context: { request_id: "5d2f9c0b1a8e7364" },
          id: "c-shipping",
        },
        {
          at: 20_140,
          system: "browser",
          level: "error",
          message:
            "Error: [CONVEX M(checkout:start)] [Request ID: 5d2f9c0b1a8e7364] Server Error\nUncaught Error: Shipping rate not found for country 'CH' (cart jd7f2m0q8x)\n\n  Called by client",
          source: "window.onunhandledrejection",
          id: "b-checkout",
        },
      ],
      { browser: browserClock(400), worker: SERVER, convex: SERVER },
    ),
    expect: { root: "c-shipping", otherChainRoots: ["w-413"] },
  },
  {
    name: "propagated-error-then-browser-crash",
    pattern: "stale chain",
    story:
      "Sending a message fails in Convex and the browser shows a toast; the user moves on and, 15 s later, opening the price list crashes in the browser alone.",
    entries: simulate(
      "inc-stale-send",
      [
        { at: 0, system: "browser", message: "click #send", source: "ui" },
        {
          at: 90,
          system: "convex",
          level: "error",
          message: "Uncaught Error: Message too long (2412 > 2000 characters)",
          stack: "Error: Message too long (2412 > 2000 characters)\n    at handler (../convex/messages.ts:14:11)",
          source: "messages:send",
          context: { request_id: "8f3a1b2c4d5e6f70" },
          id: "c-too-long",
        },
        {
          at: 170,
          system: "browser",
          level: "error",
          message:
            "Error: [CONVEX M(messages:send)] [Request ID: 8f3a1b2c4d5e6f70] Server Error\nUncaught Error: Message too long (2412 > 2000 characters)\n\n  Called by client",
          source: "console",
          id: "b-send",
        },
        { at: 175, system: "browser", level: "warn", message: "Send failed, showing toast to the user", source: "ui" },
        {
          at: 180,
          system: "browser",
          level: "error",
          message: "Send failed: Message too long (2412 > 2000 characters)",
          source: "toast",
        },
        { at: 15_000, system: "browser", message: "navigate /pricing", source: "ui" },
        {
          at: 15_060,
          system: "convex",
          level: "log",
          message: "plans:list returned 4 documents",
          source: "plans:list",
        },
        {
          at: 15_120,
          system: "browser",
          level: "error",
          message: "TypeError: Cannot read properties of undefined (reading 'toFixed')",
          stack:
            "TypeError: Cannot read properties of undefined (reading 'toFixed')\n    at PriceTag (http://localhost:5173/src/pricing/PriceTag.tsx:9:41)\n    at PlanCard (http://localhost:5173/src/pricing/PlanCard.tsx:22:7)",
          source: "window.onerror",
          id: "b-price-crash",
        },
      ],
      { browser: browserClock(-1500), convex: SERVER },
    ),
    expect: { root: "b-price-crash", otherChainRoots: ["c-too-long"] },
  },
];
