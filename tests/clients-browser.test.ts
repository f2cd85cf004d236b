// The browser client in headless Chromium against the real stack (Worker in workerd + Redis): what the page logs is
// read back from the store by trace id. Only the network between page and Worker is faked, to inject 503s and outages.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "./helpers/chromium.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  readTrace,
  startClientStack,
  waitForTrace,
  type ClientStack,
  type StoredEntry,
} from "./helpers/clients-stack.js";

declare global {
  interface Window {
    debugLogs: import("../clients/browser/index.js").BrowserClient;
  }
}

let stack: ClientStack;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  stack = await startClientStack();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});
afterEach(async () => {
  await context?.close();
});

/** A fresh page on the demo, with the page's own errors collected. */
async function openDemo(prepare?: (page: Page) => Promise<void>) {
  context = await browser.newContext();
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await prepare?.(page);
  await page.goto(`${stack.url}/demo/`);
  await page.waitForFunction(() => typeof window.debugLogs?.getTraceId === "function");
  const traceId = await page.evaluate(() => window.debugLogs.getTraceId());
  return { page, traceId, pageErrors };
}

const flush = (page: Page) => page.evaluate(() => window.debugLogs.flush());
const byMessage = (entries: StoredEntry[], text: string) => entries.find((e) => e.message.includes(text));

describe("browser client against the real stack", () => {
  it("delivers console calls, an uncaught error and an unhandled rejection, with stacks", async () => {
    const { page, traceId, pageErrors } = await openDemo();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(await page.textContent("#trace-id")).toBe(traceId);

    await page.click("#btn-log");
    await page.click("#btn-warn");
    await page.click("#btn-throw");
    await page.click("#btn-reject");
    await expect.poll(() => pageErrors.length).toBe(2); // the app's own errors still reach the browser as before
    await flush(page);

    const entries = await waitForTrace(stack, traceId, (es) => es.length >= 5);
    expect(entries.every((e) => e.trace_id === traceId && e.system === "browser" && e.source === "demo-page")).toBe(
      true,
    );
    expect(byMessage(entries, "demo: page loaded")).toMatchObject({ level: "info" });
    expect(byMessage(entries, "demo: button clicked")).toMatchObject({
      level: "log",
      context: { args: [{ button: "log" }] },
      url: `${stack.url}/demo/`,
    });
    expect(byMessage(entries, "demo: cart total looks wrong")).toMatchObject({
      level: "warn",
      context: { args: [{ expected: 42, actual: 41.99 }] },
    });

    const uncaught = byMessage(entries, "Uncaught Error: demo: uncaught error from a timer");
    expect(uncaught).toMatchObject({ level: "error", context: { kind: "uncaught_error" } });
    expect(uncaught!.stack).toMatch(/^Error: demo: uncaught error from a timer\n\s+at .*demo\.js/);

    const rejection = byMessage(entries, "Unhandled rejection: Error: demo: a promise nobody caught");
    expect(rejection).toMatchObject({ level: "error", context: { kind: "unhandled_rejection" } });
    expect(rejection!.stack).toMatch(/^Error: demo: a promise nobody caught\n\s+at .*demo\.js/);

    // Ids are unique and the server clock offset was computed from sent_at.
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    expect(entries.every((e) => typeof e.clock_offset_ms === "number")).toBe(true);
  });

  it("starts a new trace on demand and links the debug page to it", async () => {
    const { page, traceId } = await openDemo();
    await page.click("#btn-new-trace");
    const next = await page.evaluate(() => window.debugLogs.getTraceId());
    expect(next).not.toBe(traceId);
    expect(await page.textContent("#trace-id")).toBe(next);
    expect(await page.getAttribute("#debug-link", "href")).toBe(`/debug/?trace=${next}`);
    await flush(page);
    const entries = await waitForTrace(stack, next, (es) => es.length >= 1);
    expect(entries.map((e) => e.message)).toEqual(["demo: started a new trace"]);
  });

  it("delivers the last batch when the page navigates away", async () => {
    const { page, traceId } = await openDemo(async (p) => {
      // Count sendBeacon calls where they survive the unload: the origin's localStorage.
      await p.addInitScript(() => {
        const send = navigator.sendBeacon.bind(navigator);
        navigator.sendBeacon = (url, data) => {
          localStorage.setItem("beacons", String(Number(localStorage.getItem("beacons") ?? 0) + 1));
          return send(url, data);
        };
      });
    });
    // Log and leave at once: the 1 s batch timer never fires, so only the pagehide handler can send these.
    await page.evaluate(() => {
      console.log("last words before navigating");
      console.error("and an error on the way out");
      location.href = "about:blank";
    });
    await page.waitForURL("about:blank");
    const entries = await waitForTrace(stack, traceId, (es) => !!byMessage(es, "and an error on the way out"));
    expect(byMessage(entries, "last words before navigating")).toBeDefined();
    expect(byMessage(entries, "demo: page loaded")).toBeDefined();
    await page.goto(`${stack.url}/health`);
    expect(await page.evaluate(() => localStorage.getItem("beacons"))).toBe("1");
  });

  it("delivers the last batch when the tab is closed", async () => {
    const { page, traceId } = await openDemo();
    await page.evaluate(() => console.warn("closing the tab now"));
    await page.close({ runBeforeUnload: true });
    const entries = await waitForTrace(stack, traceId, (es) => !!byMessage(es, "closing the tab now"));
    expect(byMessage(entries, "closing the tab now")).toMatchObject({ level: "warn" });
  });

  it("retries after 503 + Retry-After and loses nothing", async () => {
    const attempts: number[] = [];
    const { page, traceId } = await openDemo(async (p) => {
      await p.route("**/log", async (route) => {
        attempts.push(Date.now());
        if (attempts.length <= 2) {
          await route.fulfill({
            status: 503,
            headers: { "Retry-After": "1", "Content-Type": "application/json" },
            body: JSON.stringify({ error: "The store did not answer; retry later" }),
          });
        } else {
          await route.continue();
        }
      });
    });
    await page.evaluate(() => {
      for (let i = 0; i < 5; i++) console.log(`retry me ${i}`);
    });
    await flush(page);
    const entries = await readTrace(stack, traceId); // flush() resolved: everything is already stored
    for (let i = 0; i < 5; i++) expect(byMessage(entries, `retry me ${i}`)).toBeDefined();
    expect(byMessage(entries, "demo: page loaded")).toBeDefined();
    expect(entries).toHaveLength(6); // and nothing twice
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(950); // Retry-After: 1 honoured
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(950);
  });

  it("redacts secrets before they leave the page", async () => {
    const bodies: string[] = [];
    const { page, traceId } = await openDemo(async (p) => {
      p.on("request", (r) => r.url().endsWith("/log") && bodies.push(r.postData() ?? ""));
    });
    const secrets = {
      jwt: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      stripe: "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
      card: "4111 1111 1111 1111",
      bearer: "abcDEF123456ghiJKL",
      apiKey: "my-very-own-api-key-value",
    };
    await page.click("#btn-secret");
    await page.evaluate((s) => {
      console.log(`session ${s.jwt} paid with ${s.card}`, { apiKey: s.apiKey, nested: { stripe: s.stripe } });
      console.error(new Error(`upstream refused Authorization: Bearer ${s.bearer}`));
    }, secrets);
    await flush(page);

    const sent = bodies.join("\n");
    expect(sent).toContain("[REDACTED]");
    for (const secret of [...Object.values(secrets), "hunter2", "not-a-real-token"]) expect(sent).not.toContain(secret);

    const entries = await waitForTrace(stack, traceId, (es) => es.length >= 4);
    const stored = JSON.stringify(entries);
    for (const secret of [...Object.values(secrets), "hunter2", "not-a-real-token"])
      expect(stored).not.toContain(secret);
    expect(byMessage(entries, "demo: signing in with")).toMatchObject({
      message: 'demo: signing in with password=[REDACTED] {"email":"ann@example.com","token":"[REDACTED]"}',
      context: { args: [{ email: "ann@example.com", token: "[REDACTED]" }] },
    });
  });

  it("propagates the trace to allow-listed fetches with a traceparent header", async () => {
    const { page } = await openDemo();
    // A string, not a function: vitest would rewrite a dynamic import() inside a function's source.
    const traceId: string = await page.evaluate(`(async () => {
      // The standalone client, loaded as an app would load it.
      const { install } = await import("/client/debug-logs.js");
      const client = install({ endpoint: "/log", propagateTo: [location.origin + "/log"] });
      // The app's own request carries no trace id: the Worker takes it from the traceparent header.
      await fetch("/log", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ level: "info", message: "posted by the app, traced by header" }),
      });
      return client.getTraceId();
    })()`);
    const entries = await waitForTrace(stack, traceId, (es) => es.length >= 1);
    expect(entries[0]).toMatchObject({ trace_id: traceId, message: "posted by the app, traced by header" });
  });

  it("keeps the app working while the endpoint is down, and catches up when it is back", async () => {
    const { page, traceId, pageErrors } = await openDemo(async (p) => {
      await p.route("**/log", (route) => route.abort("connectionrefused"));
    });
    await page.click("#btn-log");
    expect(await page.textContent("#status")).toBe("Logged with console.log.");
    const elapsed = await page.evaluate(() => {
      const start = performance.now();
      for (let i = 0; i < 100; i++) console.log(`during the outage ${i}`);
      return performance.now() - start;
    });
    expect(elapsed).toBeLessThan(2000);
    await page.click("#btn-warn");
    expect(await page.textContent("#status")).toBe("Logged with console.warn.");
    expect(pageErrors).toEqual([]); // no errors or unhandled rejections from the client

    await page.unroute("**/log");
    const entries = await waitForTrace(stack, traceId, (es) => !!byMessage(es, "demo: cart total looks wrong"), 30_000);
    expect(byMessage(entries, "demo: button clicked")).toBeDefined();
    expect(byMessage(entries, "during the outage 99")).toBeDefined();
    // Its own delivery failures are never logged through the console it captures.
    expect(entries.some((e) => /Failed to fetch|ERR_CONNECTION|debug-logs/i.test(e.message))).toBe(false);
  });
});
