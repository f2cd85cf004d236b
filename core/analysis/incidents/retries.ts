// Retries: attempts that differ only by their backoff are one storm; an operation that failed every attempt
// is rooted at its first attempt; an operation that later succeeded is a recovery, not a failure.
import { retryStormTrace } from "../fixtures.js";
import { simulate, type FixtureEvent } from "../simulate.js";
import { browserClock, SERVER } from "./clocks.js";
import type { Incident } from "./types.js";

const RATE_LIMIT =
  "429 Rate limit reached for gpt-4o in organization org-Zx81Lq0 on tokens per min (TPM): Limit 30000, Used 29875, Requested 1204. Please try again in 2.158s. Visit https://platform.openai.com/account/rate-limits to learn more.";

function openAiGaveUp(): FixtureEvent[] {
  const events: FixtureEvent[] = [
    { at: 0, system: "browser", message: "click #summarize", source: "ui" },
    {
      at: 60,
      system: "convex",
      level: "info",
      message: "ai:summarize started for doc jx7a0c2k9m",
      source: "ai:summarize",
    },
  ];
  let t = 900;
  for (let k = 1; k <= 4; k++) {
    const backoff = 50 * 2 ** (k - 1);
    events.push({
      at: t,
      system: "convex",
      level: "warn",
      message: `OpenAI chat.completions failed: ${RATE_LIMIT} Retrying in ${backoff}ms (attempt ${k}/4)`,
      source: "ai:summarize",
      id: `c-retry-${k}`,
    });
    t += backoff + 850;
  }
  events.push(
    {
      at: t,
      system: "convex",
      level: "error",
      message: `Uncaught RateLimitError: ${RATE_LIMIT}`,
      stack: `Error: ${RATE_LIMIT}\n    at APIError.generate (../node_modules/openai/error.mjs:64:20)\n    at OpenAI.makeStatusError (../node_modules/openai/core.mjs:295:25)\n    at async summarize (../convex/ai.ts:48:20)`,
      source: "ai:summarize",
      context: { request_id: "3f9a0d1e7b2c4a65" },
      id: "c-ratelimit",
    },
    {
      at: t + 80,
      system: "browser",
      level: "error",
      message: `Error: [CONVEX A(ai:summarize)] [Request ID: 3f9a0d1e7b2c4a65] Server Error\nUncaught RateLimitError: ${RATE_LIMIT}\n\n  Called by client`,
      source: "window.onunhandledrejection",
      id: "b-summarize",
    },
  );
  return events;
}

/** The Worker's logger tags every line of a request with Cloudflare's ray id. */
const RAY = { request_id: "8e1f2a3b4c5d6e7f-FRA" };

function supabaseGaveUp(): FixtureEvent[] {
  const events: FixtureEvent[] = [
    { at: 0, system: "browser", message: "GET /api/orders", source: "fetch" },
    { at: 40, system: "worker", level: "info", message: "GET /api/orders", source: "api", context: RAY },
  ];
  let t = 80;
  for (let k = 1; k <= 3; k++) {
    events.push({
      at: t,
      system: "worker",
      level: "warn",
      message: `Supabase request failed: TypeError: fetch failed (connect ETIMEDOUT 104.18.38.10:443) GET https://xyzcompany.supabase.co/rest/v1/orders?select=*&user_id=eq.8812, retrying in ${100 * k}ms (attempt ${k}/3)`,
      source: "api",
      context: RAY,
      id: `w-retry-${k}`,
    });
    t += 100 * k + 10_000;
  }
  events.push(
    {
      at: t,
      system: "worker",
      level: "error",
      message: "Error: Supabase unreachable after 3 attempts (GET /rest/v1/orders): connect ETIMEDOUT 104.18.38.10:443",
      stack:
        "Error: Supabase unreachable after 3 attempts (GET /rest/v1/orders): connect ETIMEDOUT 104.18.38.10:443\n    at withRetry (src/lib/retry.ts:27:11)\n    at async listOrders (src/routes/orders.ts:14:18)",
      source: "api",
      context: RAY,
      id: "w-unreachable",
    },
    {
      at: t + 5,
      system: "worker",
      level: "info",
      message: "GET /api/orders 502 in 30.4s",
      source: "api",
      context: RAY,
    },
    {
      at: t + 60,
      system: "browser",
      level: "error",
      message: "GET https://shop.example.com/api/orders 502 (Bad Gateway)",
      source: "fetch",
      id: "b-502",
    },
  );
  return events;
}

export const retryIncidents: Incident[] = [
  {
    name: "openai-rate-limit-gave-up",
    pattern: "retry storm",
    story: "The action retries OpenAI four times with doubling backoff, every attempt rate-limited, then throws.",
    entries: simulate("inc-openai-gave-up", openAiGaveUp(), { browser: browserClock(2100), convex: SERVER }),
    expect: { root: "c-retry-1", stormCount: 4 },
  },
  {
    name: "supabase-timeouts-gave-up",
    pattern: "retry storm",
    story: "The Worker cannot reach Supabase; three timed-out attempts 10 s apart, then a 502 to the browser.",
    entries: simulate("inc-supabase-gave-up", supabaseGaveUp(), {
      browser: browserClock(-500),
      worker: { flushEveryMs: 0, latencyMs: 5 },
    }),
    expect: { root: "w-retry-1", stormCount: 3 },
  },
  {
    name: "worker-upstream-timeouts",
    pattern: "retry storm",
    story: "The browser retries POST /api/summarize six times while the Worker's AI upstream times out, then gives up.",
    entries: retryStormTrace(6, "inc-retry-storm"),
    expect: { root: "w-timeout-1", stormCount: 6 },
  },
  {
    name: "openai-recovered-then-render-crash",
    pattern: "recovery",
    story:
      "The first OpenAI call times out and the retry succeeds (a recovery); the summary card then crashes on a field the new response format lacks.",
    entries: simulate(
      "inc-openai-recovered",
      [
        { at: 0, system: "browser", message: "click #summarize", source: "ui" },
        {
          at: 10_050,
          system: "convex",
          level: "warn",
          message:
            "OpenAI chat.completions failed: APIConnectionTimeoutError: Request timed out. Retrying in 500ms (attempt 1/3)",
          source: "ai:summarize",
          id: "c-timeout-retry",
        },
        {
          at: 12_400,
          system: "convex",
          level: "info",
          message: "OpenAI chat.completions succeeded on attempt 2 in 1840ms (model gpt-4o-mini, 412 tokens)",
          source: "ai:summarize",
          id: "c-recovered",
        },
        { at: 12_480, system: "browser", message: "summary received (412 tokens)", source: "ui" },
        {
          at: 12_500,
          system: "browser",
          level: "error",
          message: "TypeError: Cannot read properties of undefined (reading 'length')",
          stack:
            "TypeError: Cannot read properties of undefined (reading 'length')\n    at SummaryCard (http://localhost:5173/src/components/SummaryCard.tsx:23:38)\n    at renderWithHooks (http://localhost:5173/node_modules/.vite/deps/chunk-QJ3S6TGU.js:11548:26)",
          source: "window.onerror",
          id: "b-summary-crash",
        },
      ],
      { browser: browserClock(700), convex: SERVER },
    ),
    expect: { root: "b-summary-crash", benign: ["c-timeout-retry"] },
  },
  {
    name: "stripe-connection-recovered",
    pattern: "recovery",
    story: "One Stripe call hits a connection reset and the SDK's retry succeeds; the payment goes through.",
    entries: simulate(
      "inc-stripe-recovered",
      [
        { at: 0, system: "browser", message: "click #pay", source: "ui" },
        {
          at: 30,
          system: "worker",
          level: "info",
          message: "POST /api/pay request_id=req_9Zk2QmT81xAb",
          source: "api",
        },
        {
          at: 2_100,
          system: "worker",
          level: "warn",
          message:
            "Stripe POST /v1/payment_intents failed: StripeConnectionError: An error occurred with our connection to Stripe. (ECONNRESET) Retrying in 500ms (attempt 1/2)",
          source: "api",
          id: "w-stripe-retry",
        },
        {
          at: 2_900,
          system: "worker",
          level: "info",
          message:
            "Stripe POST /v1/payment_intents succeeded after 1 retry: pi_3OqZ8dLkdIwHu7ix0Ab1 (requires_capture)",
          source: "api",
          id: "w-stripe-ok",
        },
        { at: 2_910, system: "worker", level: "info", message: "POST /api/pay 200 in 2880ms", source: "api" },
        {
          at: 2_990,
          system: "browser",
          level: "info",
          message: "payment confirmed, redirecting to /orders/8812",
          source: "ui",
        },
      ],
      { browser: browserClock(-300), worker: SERVER },
    ),
    expect: { root: null, benign: ["w-stripe-retry"] },
  },
];
