// The debug page's JSON API against the real stack (Worker in workerd + redis-server): auth, filters, cursors,
// the download and unknown ids, on a multi-system checkout failure posted through /log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  CorrelationResponse,
  EntryResponse,
  ErrorsResponse,
  TraceExport,
  TraceResponse,
  TracesResponse,
} from "../debug-page/api.js";
import { postCheckoutTrace, postHealthyTrace, postLongTrace, REPEATS } from "./helpers/debug-trace.js";
import { startTestStack, type TestStack } from "./helpers/stack.js";

let stack: TestStack;
let checkout: { trace: string; count: number };
let healthy: string;
let long: string;
const LONG_COUNT = 2500;

const get = (path: string, token: string | null = stack.mcpToken) =>
  fetch(`${stack.url}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

async function json<T>(path: string, status = 200): Promise<T> {
  const res = await get(path);
  const body = await res.text();
  expect(res.status, body).toBe(status);
  return JSON.parse(body) as T;
}

beforeAll(async () => {
  stack = await startTestStack({ RATE_LIMIT_PER_TRACE_PER_HOUR: "100000", RATE_LIMIT_GLOBAL_PER_HOUR: "10000000" });
  checkout = await postCheckoutTrace(stack);
  long = await postLongTrace(stack, LONG_COUNT);
  healthy = await postHealthyTrace(stack);
});
afterAll(async () => {
  await stack?.stop();
});

describe("auth", () => {
  it("401 with WWW-Authenticate without a token or with a wrong one, on every route", async () => {
    for (const path of ["/api/traces", `/api/traces/${checkout.trace}`, "/api/errors", "/api/nope"]) {
      for (const token of [null, "wrong", stack.ingestToken]) {
        const res = await get(path, token);
        expect(res.status).toBe(401);
        expect(res.headers.get("www-authenticate")).toBe('Bearer realm="debug-logs"');
        expect((await res.json()).error).toMatch(/Authorization: Bearer|token is not valid/);
      }
    }
  });

  it("answers the right token, uncached", async () => {
    const res = await get("/api/traces");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect((await get("/api/nope")).status).toBe(404);
  });
});

describe("GET /api/traces", () => {
  it("lists recent traces newest first with counts, and filters", async () => {
    const all = await json<TracesResponse>("/api/traces");
    expect(all.traces.map((t) => t.trace_id)).toEqual([healthy, long, checkout.trace]);
    const c = all.traces[2]!;
    expect(c).toMatchObject({ count: checkout.count, error_count: 2, users: ["user-ann"] });
    expect(c.by_system).toEqual({ browser: 3 + REPEATS, worker: 2, convex: 6 });

    const errors = await json<TracesResponse>("/api/traces?has_errors=true");
    expect(errors.traces.map((t) => t.trace_id)).toEqual([long, checkout.trace]);
    const noErrors = await json<TracesResponse>("/api/traces?has_errors=false&system=browser");
    expect(noErrors.traces.map((t) => t.trace_id)).toEqual([healthy]);
    const blank = await json<TracesResponse>("/api/traces?system=&has_errors=&cursor=");
    expect(blank.total).toBe(3); // empty parameters count as absent, as a cleared form sends them
    const worker = await json<TracesResponse>("/api/traces?system=worker&user_id=user-ann");
    expect(worker.traces.map((t) => t.trace_id)).toEqual([checkout.trace]);
  });

  it("pages with the cursor and refuses it for other filters", async () => {
    const first = await json<TracesResponse>("/api/traces?limit=2");
    expect(first).toMatchObject({ total: 3 });
    expect(first.traces).toHaveLength(2);
    const second = await json<TracesResponse>(`/api/traces?limit=2&cursor=${first.page.next_cursor}`);
    expect(second.traces.map((t) => t.trace_id)).toEqual([checkout.trace]);
    expect(second.page.next_cursor).toBeUndefined();
    const other = await json<{ error: string }>(
      `/api/traces?limit=2&has_errors=1&cursor=${first.page.next_cursor}`,
      400,
    );
    expect(other.error).toMatch(/cursor belongs to a different query/);
  });

  it("400 with details for bad parameters", async () => {
    const bad = await json<{ error: string; details: Array<{ field: string }> }>(
      "/api/traces?since_minutes=abc&limit=0&system=mainframe",
      400,
    );
    expect(bad.details.map((d) => d.field).sort()).toEqual(["limit", "since_minutes", "system"]);
    expect(bad.error).toMatch(/^Invalid query: /);
  });
});

describe("GET /api/traces/:id", () => {
  it("returns entries in corrected order with the summary, and no agent text", async () => {
    const page = await json<TraceResponse>(`/api/traces/${checkout.trace}`);
    expect(page).toMatchObject({ trace_id: checkout.trace, trace: { count: checkout.count, read: checkout.count } });
    expect(page.page.next_cursor).toBeUndefined();
    expect(page).not.toHaveProperty("text");
    expect(page.trace.error_count).toBe(2);
    const ids = page.entries.map((e) => e.id.slice(checkout.trace.length + 1));
    // The browser clock is 4 s ahead: corrected, its click comes first and its error after Convex's.
    expect(ids[0]).toBe("b1");
    expect(ids.indexOf("c-err")).toBeLessThan(ids.indexOf("b-err"));
    expect(page.entries[0]!.rel_ms).toBe(0);
    const err = page.entries.find((e) => e.id.endsWith("c-err"))!;
    expect(err.stack!.join("\n")).toMatch(/createCheckout \(convex\/checkout\.ts:42:17\)/);
  });

  it("filters by systems, levels, text, regex and time", async () => {
    const base = `/api/traces/${checkout.trace}`;
    const errors = await json<TraceResponse>(`${base}?levels=error&systems=browser,convex`);
    expect(errors.entries.map((e) => e.id.split("-").pop())).toEqual(["err", "err"]);
    expect(errors.matching).toBe(2);
    const browserErrors = await json<TraceResponse>(`${base}?levels=error&systems=browser`);
    expect(browserErrors.entries.map((e) => e.message)).toEqual([expect.stringMatching(/^Checkout failed/)]);
    const text = await json<TraceResponse>(`${base}?text=PAYMENT%20provider`);
    expect(text.matching).toBe(4);
    expect(text.entries).toMatchObject([{ count: 4 }]); // four identical retries, folded into one row
    const regex = await json<TraceResponse>(`${base}?regex=${encodeURIComponent("upstream answered 5\\d\\d")}`);
    expect(regex.entries.map((e) => e.system)).toEqual(["worker"]);
    const firstErr = errors.trace.start + errors.entries[0]!.rel_ms - 1;
    const after = await json<TraceResponse>(`${base}?since=${firstErr}&levels=error,warn`);
    expect(after.entries.map((e) => e.level)).toEqual(["error", "warn", "error"]);
  });

  it("400 for bad filters, 404 with the recovery text for unknown traces", async () => {
    const bad = await json<{ details: Array<{ field: string }> }>(
      `/api/traces/${checkout.trace}?levels=error,loud&limit=5000`,
      400,
    );
    expect(bad.details.map((d) => d.field).sort()).toEqual(["levels.1", "limit"]);
    const slow = await json<{ error: string }>(`/api/traces/${checkout.trace}?regex=(a%2B)%2B`, 400);
    expect(slow.error).toMatch(/nested quantifiers|regex/);
    const missing = await json<{ error: string }>("/api/traces/0123456789abcdef", 404);
    expect(missing.error).toMatch(/No trace '0123456789abcdef'.*expired.*list_traces/);
    expect((await json<{ error: string }>("/api/traces/not%20an%20id", 400)).error).toMatch(/trace_id may only/);
    expect((await get("/api/traces/0123456789abcdef/correlation")).status).toBe(404);
  });

  it("pages a long trace with the cursor, up to 1000 entries a page, and nothing twice", async () => {
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page: TraceResponse = await json(`/api/traces/${long}?limit=1000${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.entries.length).toBeGreaterThan(0);
      expect(page.entries.length).toBeLessThanOrEqual(1000);
      expect(page.page.from - 1).toBe(seen.size);
      for (const e of page.entries) seen.add(e.id);
      expect(page.page.to).toBe(seen.size); // no repeats to fold in this trace
      expect(page.page.stopped === undefined).toBe(page.page.next_cursor === undefined);
      cursor = page.page.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen.size).toBe(LONG_COUNT);
    expect(pages).toBeGreaterThanOrEqual(3);
    const first = await json<TraceResponse>(`/api/traces/${long}?limit=1000`);
    const wrong = await json<{ error: string }>(
      `/api/traces/${long}?levels=error&cursor=${first.page.next_cursor}`,
      400,
    );
    expect(wrong.error).toMatch(/different query/);
    expect((await get(`/api/traces/${long}?cursor=garbage`)).status).toBe(400);
  });

  it("downloads the whole trace as a JSON file", async () => {
    const res = await get(`/api/traces/${long}?download=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="trace-${long}.json"`);
    const file = (await res.json()) as TraceExport;
    expect(file.trace_id).toBe(long);
    expect(Date.parse(file.exported_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(file.summary.count).toBe(LONG_COUNT);
    expect(file.entries).toHaveLength(LONG_COUNT);
    expect(new Set(file.entries.map((e) => e.id)).size).toBe(LONG_COUNT);
    expect(file.entries[0]).toHaveProperty("received_at");
    expect((await get(`/api/traces/0123456789abcdef?download=1`)).status).toBe(404);
  });
});

describe("GET /api/traces/:id/correlation and entries", () => {
  it("roots the failure in Convex and follows it to the browser", async () => {
    const c = await json<CorrelationResponse>(`/api/traces/${checkout.trace}/correlation`);
    expect(c.trace_id).toBe(checkout.trace);
    expect(c.root_cause).toMatchObject({ system: "convex" });
    expect(c.error_chains[0]!.errors).toEqual(
      expect.arrayContaining([`${checkout.trace}-c-err`, `${checkout.trace}-b-err`]),
    );
    expect(c.error_chains[0]!.propagation.join()).toMatch(/convex -> browser/);
    const browserSkew = c.skew.find((s) => s.system === "browser")!;
    expect(browserSkew.skew_ms).toBeGreaterThan(3000);
    expect(browserSkew.skew_ms).toBeLessThan(5000);
    expect(c.summary).toMatch(/Likely root cause \((high|medium|low) confidence\): convex/);
  });

  it("returns one stored entry whole, and 404 for an unknown entry", async () => {
    const { entry } = await json<EntryResponse>(`/api/traces/${checkout.trace}/entries/${checkout.trace}-b-err`);
    expect(entry.context).toEqual({ status: 500, note: "<img src=x onerror=alert(1)>" });
    expect(entry.stack).toMatch(/onClick/);
    const none = await json<{ error: string }>(`/api/traces/${checkout.trace}/entries/nope`, 404);
    expect(none.error).toMatch(/No entry 'nope'/);
  });
});

describe("GET /api/errors", () => {
  it("groups errors, filtered by system and trace", async () => {
    const all = await json<ErrorsResponse>("/api/errors");
    expect(all.total_errors).toBe(3);
    const convex = await json<ErrorsResponse>("/api/errors?system=convex");
    expect(convex.groups.map((g) => g.message)).toEqual([expect.stringMatching(/^TypeError: Cannot read/)]);
    expect(convex.groups[0]!.trace_ids).toEqual([checkout.trace]);
    const one = await json<ErrorsResponse>(`/api/errors?trace_id=${long}`);
    expect(one.groups.map((g) => g.message)).toEqual([`Error: sync failed at item ${LONG_COUNT - 10}`]);
    const paged = await json<ErrorsResponse>("/api/errors?limit=1");
    expect(paged.groups).toHaveLength(1);
    expect(paged.page.next_cursor).toBeDefined();
    expect((await get("/api/errors?trace_id=0123456789abcdef")).status).toBe(404);
  });
});
