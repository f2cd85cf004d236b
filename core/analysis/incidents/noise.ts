// Noise printed before the real failure: deprecations, Chrome's [Violation] notices and React's development
// warnings (printed with console.error) must never be chosen over the error that explains the failure.
import { simulate } from "../simulate.js";
import { browserClock, SERVER } from "./clocks.js";
import type { Incident } from "./types.js";

const PUNYCODE =
  "(node:1) [DEP0040] DeprecationWarning: The `punycode` module is deprecated. Please use a userland alternative instead.\n(Use `node --trace-deprecation ...` to show where the warning was created)";

export const noiseIncidents: Incident[] = [
  {
    name: "deprecation-before-stripe-error",
    pattern: "noise first",
    story:
      "Every request prints Node's punycode deprecation; the checkout route then fails because the Stripe price id does not exist.",
    entries: simulate(
      "inc-deprecation-stripe",
      [
        { at: 0, system: "worker", level: "warn", message: PUNYCODE, source: "next-server", id: "w-dep-1" },
        { at: 10, system: "worker", level: "info", message: "GET /cart 200 in 41ms", source: "next-server" },
        { at: 900, system: "browser", message: "click #checkout", source: "ui" },
        { at: 930, system: "worker", level: "warn", message: PUNYCODE, source: "next-server", id: "w-dep-2" },
        {
          at: 940,
          system: "worker",
          level: "info",
          message: "POST /api/checkout request_id=req_4f8Kq2ZbT1",
          source: "next-server",
        },
        {
          at: 1190,
          system: "worker",
          level: "error",
          message:
            "StripeInvalidRequestError: No such price: 'price_1OqZ8dLkdIwHu7ixm3K2aBcd'; a similar object exists in live mode, but a test mode key was used to make this request. (request_id=req_4f8Kq2ZbT1)",
          stack:
            "StripeInvalidRequestError: No such price: 'price_1OqZ8dLkdIwHu7ixm3K2aBcd'\n    at res.toJSON.then.StripeAPIError.message (/app/node_modules/stripe/cjs/RequestSender.js:105:31)\n    at async createCheckoutSession (/app/.next/server/app/api/checkout/route.js:1:2210)\n    at async POST (/app/.next/server/app/api/checkout/route.js:1:3107)",
          source: "next-server",
          context: { status: 400, request_id: "req_4f8Kq2ZbT1" },
          id: "w-stripe",
        },
        {
          at: 1200,
          system: "worker",
          level: "info",
          message: "POST /api/checkout 500 in 260ms",
          source: "next-server",
        },
        {
          at: 1260,
          system: "browser",
          level: "error",
          message: "POST https://shop.example.com/api/checkout 500 (Internal Server Error)",
          source: "fetch",
          id: "b-500",
        },
        {
          at: 1265,
          system: "browser",
          level: "error",
          message: "Checkout failed: No such price: 'price_1OqZ8dLkdIwHu7ixm3K2aBcd'",
          source: "console",
          id: "b-checkout",
        },
      ],
      { browser: browserClock(-800), worker: SERVER },
    ),
    expect: { root: "w-stripe", benign: ["w-dep-1"] },
  },
  {
    name: "violations-before-typeerror",
    pattern: "noise first",
    story:
      "Chrome prints [Violation] notices about slow handlers; then the cart crashes because line_items is missing from the Convex result.",
    entries: simulate(
      "inc-violation",
      [
        { at: 0, system: "browser", level: "info", message: "page load /cart", source: "ui" },
        {
          at: 120,
          system: "browser",
          level: "warn",
          message: "[Violation] 'setTimeout' handler took 61ms",
          source: "console",
          id: "b-violation-1",
        },
        { at: 300, system: "browser", message: "click #apply-coupon", source: "ui" },
        {
          at: 310,
          system: "browser",
          level: "warn",
          message: "[Violation] 'click' handler took 284ms",
          source: "console",
          id: "b-violation-2",
        },
        {
          at: 360,
          system: "convex",
          level: "info",
          message: "cart:applyCoupon coupon SPRING24 applied to cart jd7f2m0q8x",
          source: "cart:applyCoupon",
        },
        {
          at: 410,
          system: "browser",
          level: "warn",
          message: "[Violation] Forced reflow while executing JavaScript took 41ms",
          source: "console",
          id: "b-violation-3",
        },
        {
          at: 430,
          system: "browser",
          level: "error",
          message: "TypeError: Cannot read properties of undefined (reading 'map')",
          stack:
            "TypeError: Cannot read properties of undefined (reading 'map')\n    at CartItems (http://localhost:3000/_next/static/chunks/app/cart/page.js:212:34)\n    at renderWithHooks (http://localhost:3000/_next/static/chunks/node_modules_react-dom_cjs_react-dom_development_js.js:15486:18)\n    at updateFunctionComponent (http://localhost:3000/_next/static/chunks/node_modules_react-dom_cjs_react-dom_development_js.js:19617:20)",
          source: "window.onerror",
          id: "b-typeerror",
        },
      ],
      { browser: browserClock(300), convex: SERVER },
    ),
    expect: { root: "b-typeerror", benign: ["b-violation-2"] },
  },
  {
    name: "forwardref-warning-then-crash",
    pattern: "react dev warnings",
    story:
      "React prints its forwardRef development warning with console.error; 4 ms later the focus effect crashes on a null ref.",
    entries: simulate(
      "inc-forwardref",
      [
        { at: 0, system: "browser", level: "info", message: "page load /search", source: "ui" },
        {
          at: 20,
          system: "browser",
          level: "error",
          message:
            "Warning: Function components cannot be given refs. Attempts to access this ref will fail. Did you mean to use React.forwardRef()?\n\nCheck the render method of `SearchBox`.\n    at Input (http://localhost:3000/_next/static/chunks/app/search/page.js:88:11)\n    at SearchBox (http://localhost:3000/_next/static/chunks/app/search/page.js:131:9)",
          source: "console",
          id: "b-react-warning",
        },
        {
          at: 24,
          system: "browser",
          level: "error",
          message: "TypeError: Cannot read properties of null (reading 'focus')",
          stack:
            "TypeError: Cannot read properties of null (reading 'focus')\n    at eval (http://localhost:3000/_next/static/chunks/app/search/page.js:140:27)\n    at commitHookEffectListMount (http://localhost:3000/_next/static/chunks/node_modules_react-dom_cjs_react-dom_development_js.js:23150:26)",
          source: "window.onerror",
          id: "b-focus-crash",
        },
        {
          at: 200,
          system: "convex",
          level: "log",
          message: "search:suggest returned 0 documents",
          source: "search:suggest",
        },
      ],
      { browser: browserClock(0), convex: SERVER },
    ),
    expect: { root: "b-focus-crash", benign: ["b-react-warning"] },
  },
  {
    name: "extension-hydration-then-convex-error",
    pattern: "react dev warnings",
    story:
      "A Grammarly extension adds attributes to <body>, so React logs its attribute-mismatch notice; the invoice page then fails because the Convex query throws.",
    entries: simulate(
      "inc-extension-hydration",
      [
        { at: 0, system: "browser", level: "info", message: "page load /invoices/inv_29xk", source: "ui" },
        {
          at: 35,
          system: "browser",
          level: "error",
          message:
            'A tree hydrated but some attributes of the server rendered HTML didn\'t match the client properties. This won\'t be patched up. This can happen if a SSR-ed Client Component used:\n\n- A server/client branch `if (typeof window !== \'undefined\')`.\n- Variable input such as `Date.now()` or `Math.random()` which changes each time it\'s called.\n- Date formatting in a user\'s locale which doesn\'t match the server.\n- External changing data without sending a snapshot of it along with the HTML.\n- Invalid HTML tag nesting.\n\nIt can also happen if the client has a browser extension installed which messes with the HTML before React loaded.\n\nhttps://react.dev/link/hydration-mismatch\n\n  ...\n    <html lang="en">\n      <body\n        className="__variable_1e4310 antialiased"\n-       data-new-gr-c-s-check-loaded="14.1226.0"\n-       data-gr-ext-installed=""\n      >',
          source: "console",
          id: "b-hydration-notice",
        },
        {
          at: 90,
          system: "convex",
          level: "error",
          message: "Uncaught Error: Invoice inv_29xk not found for team tm_81kd",
          stack:
            "Error: Invoice inv_29xk not found for team tm_81kd\n    at handler (../convex/invoices.ts:31:13)\n    at async invokeQuery (../node_modules/convex/dist/esm/server/impl/registration_impl.js:72:22)",
          source: "invoices:get",
          context: { request_id: "b72c0e9a41d3f5e8" },
          id: "c-invoice",
        },
        {
          at: 160,
          system: "browser",
          level: "error",
          message:
            "Error: [CONVEX Q(invoices:get)] [Request ID: b72c0e9a41d3f5e8] Server Error\nUncaught Error: Invoice inv_29xk not found for team tm_81kd\n    at handler (../convex/invoices.ts:31:13)\n\n  Called by client",
          source: "window.onerror",
          id: "b-invoice",
        },
      ],
      { browser: browserClock(-1200), convex: SERVER },
    ),
    expect: { root: "c-invoice", benign: ["b-hydration-notice"] },
  },
];
