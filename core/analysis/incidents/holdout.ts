// Held-out incidents, written after the rules were tuned on the rest of the corpus and run once as
// written: what the accuracy figure on traces no one tuned to is measured on.
import { simulate } from "../simulate.js";
import { browserClock, SERVER } from "./clocks.js";
import type { Incident } from "./types.js";

export const holdoutIncidents: Incident[] = [
  {
    name: "convex-occ-conflict",
    pattern: "held out",
    story:
      "Two tabs increment the same counter; Convex gives up on the mutation after its OCC retries and the browser reports it.",
    entries: simulate(
      "hold-occ",
      [
        { at: 0, system: "browser", message: "click #like", source: "ui" },
        {
          at: 5,
          system: "browser",
          level: "warn",
          message:
            "(node:1) [DEP0005] DeprecationWarning: Buffer() is deprecated due to security and usability issues.",
          source: "console",
        },
        {
          at: 240,
          system: "convex",
          level: "error",
          message:
            'Uncaught Error: Documents read from or written to the "counters" table changed while this mutation was being run and on every subsequent retry. Another call to this mutation changed the document with ID "jd7f2m0q8xk91". See https://docs.convex.dev/error#1',
          source: "likes:increment",
          context: { request_id: "9a1c3e5f7b2d4f60" },
          id: "c-occ",
        },
        {
          at: 310,
          system: "browser",
          level: "error",
          message:
            'Error: [CONVEX M(likes:increment)] [Request ID: 9a1c3e5f7b2d4f60] Server Error\nUncaught Error: Documents read from or written to the "counters" table changed while this mutation was being run and on every subsequent retry.\n\n  Called by client',
          source: "window.onunhandledrejection",
          id: "b-occ",
        },
      ],
      { browser: browserClock(-600), convex: SERVER },
    ),
    expect: { root: "c-occ" },
  },
  {
    name: "stripe-webhook-signature",
    pattern: "held out",
    story: "A server-only trace: the webhook handler parses the body as JSON before verifying Stripe's signature.",
    entries: simulate(
      "hold-webhook",
      [
        { at: 0, system: "worker", level: "info", message: "POST /api/webhooks/stripe", source: "api" },
        {
          at: 3,
          system: "worker",
          level: "error",
          message:
            "StripeSignatureVerificationError: No signatures found matching the expected signature for payload. Are you passing the raw request body you received from Stripe? \n Learn more about webhook signing and explore webhook integration examples for various frameworks at https://github.com/stripe/stripe-node#webhook-signing",
          stack:
            "StripeSignatureVerificationError: No signatures found matching the expected signature for payload.\n    at validateComputedSignature (/app/node_modules/stripe/cjs/Webhooks.js:149:19)\n    at handleStripeWebhook (src/routes/webhooks.ts:22:31)",
          source: "api",
          id: "w-signature",
        },
        { at: 5, system: "worker", level: "info", message: "POST /api/webhooks/stripe 400 in 5ms", source: "api" },
      ],
      { worker: SERVER },
    ),
    expect: { root: "w-signature" },
  },
  {
    name: "supabase-rls-insert",
    pattern: "held out",
    story:
      "supabase-js warns about two GoTrue clients (harmless); the order insert is refused by row-level security because the policy checks a column the client does not send.",
    entries: simulate(
      "hold-rls",
      [
        { at: 0, system: "browser", level: "info", message: "page load /checkout", source: "ui" },
        {
          at: 20,
          system: "browser",
          level: "warn",
          message:
            "Multiple GoTrueClient instances detected in the same browser context. It is not an error, but this should be avoided as it may produce undefined behavior when used concurrently under the same storage key.",
          source: "console",
          id: "b-gotrue",
        },
        { at: 900, system: "browser", message: "click #place-order", source: "ui" },
        {
          at: 1020,
          system: "browser",
          level: "error",
          message:
            'Failed to create order: {"code":"42501","details":null,"hint":null,"message":"new row violates row-level security policy for table \\"orders\\""}',
          source: "console",
          id: "b-rls",
        },
      ],
      { browser: browserClock(300) },
    ),
    expect: { root: "b-rls" },
  },
  {
    name: "worker-missing-kv-binding",
    pattern: "held out",
    story:
      "The settings route reads a KV namespace that is not bound in this environment; the Worker throws and answers 500.",
    entries: simulate(
      "hold-kv",
      [
        { at: 0, system: "browser", message: "navigate /settings", source: "ui" },
        { at: 30, system: "worker", level: "info", message: "GET /api/settings", source: "api" },
        {
          at: 32,
          system: "worker",
          level: "error",
          message: "TypeError: Cannot read properties of undefined (reading 'get')",
          stack:
            "TypeError: Cannot read properties of undefined (reading 'get')\n    at getSettings (src/settings.ts:9:31)\n    at Object.fetch (src/index.ts:41:18)",
          source: "api",
          id: "w-kv",
        },
        { at: 33, system: "worker", level: "info", message: "GET /api/settings 500 in 3ms", source: "api" },
        {
          at: 90,
          system: "browser",
          level: "error",
          message: "GET https://app.example.com/api/settings 500 (Internal Server Error)",
          source: "fetch",
          id: "b-500",
        },
      ],
      { browser: browserClock(-200), worker: SERVER },
    ),
    expect: { root: "w-kv" },
  },
  {
    name: "openai-429-recovered",
    pattern: "held out",
    story: "OpenAI answers 429 once; the action waits for retry-after and the second call succeeds.",
    entries: simulate(
      "hold-429-ok",
      [
        { at: 0, system: "browser", message: "click #generate", source: "ui" },
        {
          at: 800,
          system: "convex",
          level: "warn",
          message:
            "OpenAI returned 429 Too Many Requests (Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 500). Retrying after 2s (retry-after header)",
          source: "ai:generate",
          id: "c-429",
        },
        {
          at: 3_900,
          system: "convex",
          level: "info",
          message: "OpenAI request succeeded after 1 retry (1204 tokens)",
          source: "ai:generate",
        },
        { at: 4_000, system: "browser", level: "info", message: "generated text shown (1204 tokens)", source: "ui" },
      ],
      { browser: browserClock(0), convex: SERVER },
    ),
    expect: { root: null, benign: ["c-429"] },
  },
  {
    name: "stale-chunk-after-deploy",
    pattern: "held out",
    story:
      "After a deploy the old page imports a chunk that no longer exists; the router then fails to render the route.",
    entries: simulate(
      "hold-chunk",
      [
        { at: 0, system: "browser", message: "navigate /settings", source: "ui" },
        {
          at: 40,
          system: "browser",
          level: "error",
          message:
            "TypeError: Failed to fetch dynamically imported module: https://app.example.com/assets/Settings-4f1c2a9b.js",
          source: "window.onunhandledrejection",
          id: "b-import",
        },
        {
          at: 45,
          system: "browser",
          level: "error",
          message: "Error: Unexpected Application Error! Failed to fetch dynamically imported module",
          stack:
            "Error: Unexpected Application Error!\n    at RenderErrorBoundary (https://app.example.com/assets/index-9c1b.js:1:8812)",
          source: "console",
          id: "b-router",
        },
      ],
      { browser: browserClock(0) },
    ),
    expect: { root: "b-import" },
  },
];
