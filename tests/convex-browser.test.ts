// The whole Convex path with a real browser: the page (browser client in headless Chromium) sees a mutation fail the
// way the Convex client reports it, Convex's log stream delivers the mutation's console line and failure, and the
// Worker joins them into the browser's trace by request id, with nothing passed by the app.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleEvent, executionEvent, logStreamBody, signBody } from "../core/convex/fixtures.js";
import { launchChromium } from "./helpers/chromium.js";
import { startTestStack, type TestStack } from "./helpers/stack.js";

declare global {
  interface Window {
    debugLogs: import("../clients/browser/index.js").BrowserClient;
  }
}

const SECRET = "convex-browser-test-secret";
let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack({
    CONVEX_LOG_STREAM_SECRET: SECRET,
    RATE_LIMIT_PER_TRACE_PER_HOUR: "100000",
    RATE_LIMIT_GLOBAL_PER_HOUR: "10000000",
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const api = (path: string) =>
  fetch(`${stack.url}/api${path}`, { headers: { authorization: `Bearer ${stack.mcpToken}` } }).then(
    (r) => r.json() as Promise<Record<string, unknown>>,
  );

async function storedMessages(traceId: string): Promise<Array<{ system: string; message: string }>> {
  const res = (await api(`/traces/${traceId}?download=1`)) as { entries?: Array<{ system: string; message: string }> };
  return res.entries ?? [];
}

describe("a failing Convex mutation, seen by the browser and by the log stream", () => {
  it.each(["browser first", "log stream first"])("lands in the browser's trace (%s)", async (order) => {
    const requestId = Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join("");
    const fn = { path: "payments:createPaymentIntent", requestId };
    const logStream = async () => {
      const body = logStreamBody(
        [
          consoleEvent(fn, "LOG", "'charging card ending 4242'"),
          executionEvent(fn, { error: "Uncaught Error: card declined\n    at handler (../convex/payments.ts:9:11)" }),
        ],
        "jsonl",
      );
      const res = await fetch(`${stack.url}/convex/log-stream`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-webhook-signature": await signBody(SECRET, body) },
        body,
      });
      expect(res.status).toBe(200);
    };

    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${stack.url}/demo/`);
      await page.waitForFunction(() => typeof window.debugLogs?.getTraceId === "function");
      const traceId = await page.evaluate(() => window.debugLogs.getTraceId());
      if (order === "log stream first") await logStream();
      // What the Convex client does when a mutation fails: its logger prints the server's error message (which
      // starts with the request id), and the mutation's promise rejects with the same text.
      await page.evaluate((rid) => {
        const text = `[CONVEX M(payments:createPaymentIntent)] [Request ID: ${rid}] Server Error\nUncaught Error: card declined`;
        console.error(text);
        void Promise.reject(new Error(`${text}\n\n  Called by client`));
      }, requestId);
      // Both reach the trace: the console error and the unhandled rejection.
      await expect
        .poll(async () => {
          await page.evaluate(() => window.debugLogs.flush());
          return (await storedMessages(traceId)).filter((e) => e.message.includes(`[Request ID: ${requestId}]`)).length;
        })
        .toBe(2);
      if (order === "browser first") await logStream();

      await expect
        .poll(async () => (await storedMessages(traceId)).filter((e) => e.system === "convex").length)
        .toBe(2);
      const correlation = (await api(`/traces/${traceId}/correlation`)) as {
        root_cause: { system: string; source?: string; message: string; evidence: string[] } | null;
      };
      expect(correlation.root_cause).toMatchObject({
        system: "convex",
        source: "payments:createPaymentIntent",
        message: "payments:createPaymentIntent failed: Uncaught Error: card declined",
      });
      expect(correlation.root_cause!.evidence.join("\n")).toContain(requestId);
    } finally {
      await context.close();
    }
  });
});
