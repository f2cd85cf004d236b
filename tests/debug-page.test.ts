// The /debug page in headless Chromium against the real stack (Worker in workerd + redis-server), on traces posted
// through /log: the token prompt, the trace list, the corrected timeline with the root cause, filters in the URL,
// the JSON export, a 10,000-entry trace and the messages for unknown traces and a store outage.
// Screenshots go to test-results/screenshots/ for a person to look at.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "./helpers/chromium.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TraceExport } from "../debug-page/api.js";
import { checkoutRows, postCheckoutTrace, postHealthyTrace, postLongTrace, REPEATS } from "./helpers/debug-trace.js";
import { startTestStack, type TestStack } from "./helpers/stack.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const shots = join(root, "test-results/screenshots");
const LONG_COUNT = 10_000;

let stack: TestStack;
let browser: Browser;
let context: BrowserContext | undefined;
let checkout: { trace: string; count: number };
let long: string;

beforeAll(async () => {
  // The page is a static asset, built from the current sources by the stack's own wrangler build.
  mkdirSync(shots, { recursive: true });
  stack = await startTestStack({ RATE_LIMIT_PER_TRACE_PER_HOUR: "100000", RATE_LIMIT_GLOBAL_PER_HOUR: "10000000" });
  long = await postLongTrace(stack, LONG_COUNT);
  checkout = await postCheckoutTrace(stack);
  await postHealthyTrace(stack);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
});

/** A fresh browser session on `path`; page errors and console errors (CSP violations among them) are collected. */
async function openPage(target: { url: string }, path = "/debug/") {
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (msg) => msg.type() === "error" && problems.push(msg.text()));
  await page.goto(`${target.url}${path}`);
  return { page, problems };
}

async function signIn(page: Page, token = stack.mcpToken) {
  await page.fill("#token-input", token);
  await page.press("#token-input", "Enter");
  await page.waitForSelector("#app:not([hidden])");
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const rowTexts = (page: Page) => page.locator(".timeline .row-main .msg").allTextContents();

describe("debug page", () => {
  it("asks for the token, refuses a wrong one, keeps the right one for the session and lists traces", async () => {
    const { page, problems } = await openPage(stack);
    await expect.poll(() => page.isVisible("#token-panel")).toBe(true);
    expect(await page.isHidden("#app")).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("token-input");
    await shot(page, "01-token-prompt");

    await page.fill("#token-input", "not-the-token");
    await page.click("#token-form button[type=submit]");
    await expect.poll(() => page.textContent("#token-error")).toMatch(/not accepted/);
    expect(await page.isHidden("#app")).toBe(true);

    await signIn(page);
    const items = page.locator("#trace-list button[data-trace]");
    await expect.poll(() => items.count()).toBe(3);
    const first = await items.nth(0).textContent();
    expect(first).toMatch(/^healthy-/); // newest activity first
    expect(first).toMatch(/no errors/);
    const row = page.locator(`#trace-list button[data-trace="${checkout.trace}"]`);
    expect(await row.textContent()).toMatch(new RegExp(`${checkout.count} entries.*2 errors.*browser ${3 + REPEATS}`));
    expect(await page.textContent("#traces-status")).toMatch(/3 of 3/);
    expect(await page.evaluate(() => sessionStorage.getItem("debug-logs:token"))).toBe(stack.mcpToken);

    await page.reload();
    await page.waitForSelector("#app:not([hidden])");
    expect(await page.isHidden("#token-panel")).toBe(true);
    await page.check("#only-errors");
    await expect.poll(() => items.count()).toBe(2);
    expect(problems).toEqual(["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]);
  });

  it("opens a trace with the keyboard: corrected timeline, folded repeats, chains, root cause, stacks", async () => {
    const { page, problems } = await openPage(stack);
    await signIn(page);
    const item = page.locator(`#trace-list button[data-trace="${checkout.trace}"]`);
    await item.focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector(".timeline");
    expect(new URL(page.url()).search).toBe(`?trace=${checkout.trace}`);
    expect(await item.getAttribute("aria-current")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("trace-heading");

    const rows = await rowTexts(page);
    // Corrected for the browser's 4 s lead: the click comes first, Convex fails before the browser reports it.
    expect(rows[0]).toBe("click #checkout");
    const convexError = rows.findIndex((m) => m.startsWith("TypeError"));
    expect(convexError).toBeLessThan(rows.findIndex((m) => m.startsWith("Checkout failed")));
    expect(rows.filter((m) => m.startsWith("Each child"))).toHaveLength(1);
    const folded = page.locator(".row", { hasText: "Each child in a list" });
    expect(await folded.locator(".badge-repeat").textContent()).toBe(`x${REPEATS}`);

    const rootRow = page.locator(".row.is-root");
    expect(await rootRow.count()).toBe(1);
    expect(await rootRow.locator(".sys-label").textContent()).toBe("convex");
    expect(await rootRow.locator(".badge-root").textContent()).toBe("root cause");
    expect(await page.textContent("#root-cause")).toMatch(/convex/);
    expect(await page.textContent(".analysis")).toMatch(/browser clock was .* ahead/);
    for (const id of ["c-err", "b-err"]) {
      expect(await page.locator(`.row[data-id="${checkout.trace}-${id}"] .badge-chain`).textContent()).toBe("chain 1");
    }

    // Expand the Convex error with the keyboard: the whole stack and the stored fields.
    const errorRow = page.locator(`.row[data-id="${checkout.trace}-c-err"]`);
    await errorRow.locator(".row-main").focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => errorRow.locator(".details").textContent()).toMatch(/_generated\/server\.js:10:3/);
    expect(await errorRow.locator(".row-main").getAttribute("aria-expanded")).toBe("true");
    // Log content is text: the markup in the browser error's context is shown, never parsed.
    const browserError = page.locator(`.row[data-id="${checkout.trace}-b-err"]`);
    await browserError.locator(".row-main").click();
    await expect.poll(() => browserError.locator(".context").textContent()).toMatch(/<img src=x onerror=alert\(1\)>/);
    expect(await page.locator(".timeline img").count()).toBe(0);
    await shot(page, "02-trace-open");
    await page.emulateMedia({ colorScheme: "dark" });
    await shot(page, "02-trace-open-dark");
    expect(problems).toEqual([]);
  });

  it("filters narrow the timeline and the URL, and a shared URL restores the view", async () => {
    const { page } = await openPage(stack, `/debug/?trace=${checkout.trace}`);
    await signIn(page);
    await page.waitForSelector(".timeline");
    expect(await page.locator(".timeline .row").count()).toBe(checkoutRows(checkout.count));

    for (const system of ["convex", "worker"]) await page.uncheck(`#filters input[name=systems][value=${system}]`);
    await expect.poll(() => new URL(page.url()).searchParams.get("systems")).toBe("browser");
    await expect.poll(async () => (await rowTexts(page)).length).toBe(4);
    for (const level of ["debug", "log", "info", "warn"])
      await page.uncheck(`#filters input[name=levels][value=${level}]`);
    await expect.poll(() => rowTexts(page)).toEqual([expect.stringMatching(/^Checkout failed: 500/)]);
    expect(new URL(page.url()).search).toBe(`?trace=${checkout.trace}&systems=browser&levels=error`);
    expect(await page.textContent(".pager-text")).toBe(`Entries 1–1 of 1 (${checkout.count} in the trace)`);
    await shot(page, "03-filtered");

    const shared = await openPage(stack, `/debug/?trace=${checkout.trace}&levels=warn&text=payment`);
    await shared.page.evaluate((t) => sessionStorage.setItem("debug-logs:token", t), stack.mcpToken);
    await shared.page.reload();
    await shared.page.waitForSelector(".timeline");
    expect(await rowTexts(shared.page)).toEqual(["retrying payment provider"]);
    expect(await shared.page.locator(".row .badge-repeat").textContent()).toBe("x4");
    expect(await shared.page.inputValue("#filter-text")).toBe("payment");
    expect(await shared.page.isChecked("#filters input[name=levels][value=error]")).toBe(false);
    await shared.page.click("#clear-filters");
    await expect.poll(() => shared.page.url()).toBe(`${stack.url}/debug/?trace=${checkout.trace}`);
    await expect.poll(async () => (await rowTexts(shared.page)).length).toBe(checkoutRows(checkout.count));
  });

  it("exports the whole trace as JSON", async () => {
    const { page } = await openPage(stack, `/debug/?trace=${checkout.trace}&levels=error`);
    await signIn(page);
    await page.waitForSelector(".timeline");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
    expect(download.suggestedFilename()).toBe(`trace-${checkout.trace}.json`);
    const file = JSON.parse(readFileSync(await download.path(), "utf8")) as TraceExport;
    expect(file.trace_id).toBe(checkout.trace);
    expect(file.entries).toHaveLength(checkout.count); // the whole trace, whatever the filters on screen
    expect(file.entries.map((e) => e.id)).toContain(`${checkout.trace}-c-err`);
    expect(file.summary.error_count).toBe(2);
    await expect.poll(() => page.textContent(".actions [role=status]")).toMatch(/Downloaded trace-.*\.json/);
  });

  it("pages through a 10,000-entry trace", async () => {
    const { page, problems } = await openPage(stack, `/debug/?trace=${long}`);
    const started = Date.now();
    await signIn(page);
    await page.waitForSelector(".timeline");
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await page.textContent(".pager-text")).toBe("Entries 1–500 of 10,000");
    expect(await page.locator(".timeline .row").count()).toBe(500);
    const firstPage = await rowTexts(page);
    expect(firstPage[0]).toBe("processed item 0");
    await page.locator(".pager .next").first().click();
    await expect.poll(() => page.locator(".pager-text").first().textContent()).toBe("Entries 501–1,000 of 10,000");
    const secondPage = await rowTexts(page);
    expect(secondPage).toHaveLength(500);
    expect(secondPage.filter((m) => firstPage.includes(m))).toEqual([]); // nothing twice
    await page.locator(".pager .prev").first().click();
    await expect.poll(() => rowTexts(page)).toEqual(firstPage);
    // The root cause is far down: the analysis jumps there.
    await page.click("#root-cause button");
    await expect.poll(() => page.locator(".row.is-root").count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.closest(".row")?.classList.contains("is-root"))).toBe(
      true,
    );
    expect(await page.locator(".timeline .row").count()).toBeLessThan(20);
    expect(new URL(page.url()).searchParams.get("since")).toMatch(/^\d+$/);
    await shot(page, "04-long-trace");
    expect(problems).toEqual([]);
  });

  it("says so for an unknown trace and for a token that stops working", async () => {
    const { page } = await openPage(stack, "/debug/?trace=0123456789abcdef");
    await signIn(page);
    await expect.poll(() => page.textContent("#trace-view")).toMatch(/Trace not found.*No trace '0123456789abcdef'/);
    expect(await page.textContent("#trace-view")).toMatch(/expired/);
    await shot(page, "05-unknown-trace");

    await page.evaluate(() => sessionStorage.setItem("debug-logs:token", "revoked"));
    await page.click("#refresh-traces");
    await page.waitForSelector("#token-panel:not([hidden])");
    expect(await page.textContent("#token-error")).toMatch(/not accepted.*Enter the MCP_AUTH_TOKEN again/);
    expect(await page.evaluate(() => sessionStorage.getItem("debug-logs:token"))).toBeNull();
  });

  it("says so when the store is down", async () => {
    const dead = await startTestStack({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", UPSTASH_REDIS_REST_TOKEN: "x" });
    try {
      const { page } = await openPage(dead, `/debug/?trace=${checkout.trace}`);
      await signIn(page, dead.mcpToken);
      await expect.poll(() => page.textContent("#trace-view")).toMatch(/log store is not reachable right now; retry/);
      expect(await page.textContent("#traces-status")).toMatch(/log store is not reachable/);
      expect(await page.locator("#trace-view button", { hasText: "Retry" }).count()).toBe(1);
      await shot(page, "06-store-down");
    } finally {
      await dead.stop();
    }
  });
});
