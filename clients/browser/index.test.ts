// The browser client's capture logic, run in Node with an injected fetch. Real-browser behaviour (error events,
// sendBeacon at unload, delivery to the real Worker) is covered by tests/clients-browser.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { install, type BrowserClient, type BrowserClientOptions } from "./index.js";
import type { FetchLike } from "../shared/sender.js";
import type { Envelope } from "../shared/types.js";

let client: BrowserClient | undefined;
let printed: unknown[][];
const realConsole = { ...console };

function setup(options: Partial<BrowserClientOptions> = {}) {
  const bodies: Envelope[] = [];
  const headers: unknown[] = [];
  const fetch: FetchLike = async (_url, init) => {
    bodies.push(JSON.parse(String(init.body)));
    headers.push(init.headers);
    return { status: 202, headers: { get: () => null } };
  };
  client = install({ endpoint: "/log", fetch, flushIntervalMs: 0, ...options });
  const entries = () => bodies.flatMap((b) => b.entries);
  return { client, bodies, headers, entries };
}

beforeEach(() => {
  printed = [];
  for (const level of ["debug", "log", "info", "warn", "error"] as const) {
    console[level] = (...args: unknown[]) => void printed.push([level, ...args]);
  }
});
afterEach(() => {
  client?.uninstall();
  client = undefined;
  Object.assign(console, realConsole);
});

describe("console capture", () => {
  it("ships console calls with trace id, level and structured args, and still prints them", async () => {
    const { client, entries, headers } = setup({ source: "shop-web", userId: "u1" });
    console.log("saved cart", { items: 3 });
    console.error("checkout failed:", new Error("card declined"));
    await client.flush();
    expect(printed).toEqual([
      ["log", "saved cart", { items: 3 }],
      ["error", "checkout failed:", expect.any(Error)],
    ]);
    expect(client.getTraceId()).toMatch(/^[0-9a-f]{32}$/);
    const [a, b] = entries();
    expect(a).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9._:-]+$/),
      trace_id: client.getTraceId(),
      system: "browser",
      source: "shop-web",
      user_id: "u1",
      level: "log",
      message: 'saved cart {"items":3}',
      timestamp: expect.any(Number),
      context: { args: [{ items: 3 }] },
    });
    expect(b).toMatchObject({ level: "error", message: "checkout failed: Error: card declined" });
    expect(b!.stack).toMatch(/^Error: card declined\n\s+at /);
    expect(b!.context).toEqual({ args: [{ name: "Error", message: "card declined" }] }); // the stack is not repeated
    expect(a!.id).not.toBe(b!.id);
    expect(headers[0]).toEqual({}); // a string body: text/plain, no CORS preflight
  });

  it("captures only the configured levels", async () => {
    const { client, entries } = setup({ levels: ["warn", "error"] });
    console.log("not captured");
    console.warn("captured");
    await client.flush();
    expect(entries().map((e) => e.message)).toEqual(["captured"]);
    expect(printed).toHaveLength(2);
  });

  it("redacts secrets in messages, stacks and args before sending", async () => {
    const { client, bodies } = setup({ redact: ["internal-codename"] });
    console.log("login ok password=hunter2 Bearer abcdefghijklmnop internal-codename", {
      user: { email: "a@b.c", apiKey: "k-123" },
      card: "4111 1111 1111 1111",
    });
    await client.flush();
    const body = JSON.stringify(bodies);
    expect(body).not.toMatch(/hunter2|abcdefghijklmnop|internal-codename|k-123|4111 1111/);
    expect(bodies[0]!.entries[0]!.context).toEqual({
      args: [{ user: { email: "a@b.c", apiKey: "[REDACTED]" }, card: "[REDACTED]" }],
    });
  });

  it("folds identical messages within the window into one entry with repeat_count", async () => {
    const { client, entries } = setup();
    for (let i = 0; i < 5; i++) console.warn("socket reconnecting");
    console.warn("something else");
    await client.flush();
    expect(entries().map((e) => [e.message, e.context?.repeat_count])).toEqual([
      ["socket reconnecting", 5],
      ["something else", undefined],
    ]);
  });

  it("drops what it is told to ignore", async () => {
    const { client, entries } = setup({ ignore: ["[HMR]", /^Download the React DevTools/] });
    console.log("[HMR] connected");
    console.info("Download the React DevTools for a better experience");
    console.log("kept");
    await client.flush();
    expect(entries().map((e) => e.message)).toEqual(["kept"]);
  });

  it("rate-limits per minute and reports the drops", async () => {
    const { client, bodies } = setup({ maxPerMinute: 3 });
    for (let i = 0; i < 5; i++) console.log(`message ${i}`);
    await client.flush();
    expect(bodies[0]).toMatchObject({ client_dropped: { rate_limit: 2 } });
    expect(bodies[0]!.entries.map((e) => e.message)).toEqual(["message 0", "message 1", "message 2"]);
    vi.useFakeTimers({ now: Date.now() + 61_000, toFake: ["Date"] });
    try {
      console.log("next minute");
      await client.flush();
    } finally {
      vi.useRealTimers();
    }
    expect(bodies[1]!.entries.map((e) => e.message)).toEqual(["next minute"]);
    expect(bodies[1]!.client_dropped).toBeUndefined();
  });

  it("does not capture console calls made while it captures (no loops)", async () => {
    const { client, entries } = setup();
    const sneaky = {
      get value() {
        console.log("from inside serialisation");
        return 1;
      },
    };
    console.log("outer", sneaky);
    await client.flush();
    expect(entries().map((e) => e.message)).toEqual(['outer {"value":1}']);
    // Printed (passed through to the real console) but not captured; getters are read once.
    expect(printed.map((p) => p[1])).toEqual(["outer", "from inside serialisation"]);
  });

  it("never throws into the app, whatever it logs and whatever the endpoint does", async () => {
    client = install({
      endpoint: "/log",
      flushIntervalMs: 0,
      maxAttempts: 1,
      fetch: () => {
        throw new Error("network down");
      },
    });
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("nope");
        },
        get: () => {
          throw new Error("nope");
        },
      },
    );
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => console.log(hostile, circular, 10n, Symbol("s"), () => 1)).not.toThrow();
    await expect(client.flush()).resolves.toBeUndefined();
  });
});

describe("traces and users", () => {
  it("starts new traces, continues given ones and tags users", async () => {
    const { client, entries } = setup({ traceId: "given-trace" });
    console.log("one");
    const next = client.newTrace();
    console.log("two");
    expect(client.setTraceId("bad id with spaces")).toBe(false);
    expect(client.setTraceId("order:42")).toBe(true);
    client.setUser("user-7");
    console.log("three");
    client.setUser(undefined);
    console.log("four");
    await client.flush();
    expect(next).toMatch(/^[0-9a-f]{32}$/);
    expect(entries().map((e) => [e.message, e.trace_id, e.user_id])).toEqual([
      ["one", "given-trace", undefined],
      ["two", next, undefined],
      ["three", "order:42", "user-7"],
      ["four", "order:42", undefined],
    ]);
  });
});

describe("uninstall", () => {
  it("restores the console it patched and stops capturing", async () => {
    const before = console.log;
    const { client, entries } = setup();
    expect(console.log).not.toBe(before);
    client.uninstall();
    expect(console.log).toBe(before);
    console.log("after");
    await client.flush();
    expect(entries()).toHaveLength(0);
  });

  it("a second install replaces the first", async () => {
    const first = setup();
    const second = setup();
    console.log("once");
    await second.client.flush();
    await first.client.flush();
    expect(first.entries()).toHaveLength(0);
    expect(second.entries()).toHaveLength(1);
  });
});

describe("traceparent propagation", () => {
  const realFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it("adds traceparent only to allow-listed URLs, and never overrides one the app set", async () => {
    const seen: { url: string; traceparent: string | null }[] = [];
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      seen.push({ url, traceparent: headers.get("traceparent") });
      return new Response("ok");
    }) as typeof fetch;
    const { client } = setup({ propagateTo: ["https://api.test/", /convex\.cloud/] });
    await fetch("https://api.test/orders", { headers: { "X-Other": "1" } });
    await fetch(new Request("https://happy-cat-123.convex.cloud/api/action"));
    await fetch("https://elsewhere.test/");
    await fetch("https://api.test/x", {
      headers: { traceparent: "00-11111111111111111111111111111111-2222222222222222-01" },
    });
    const pattern = new RegExp(`^00-${client.getTraceId()}-[0-9a-f]{16}-01$`);
    expect(seen[0]!.traceparent).toMatch(pattern);
    expect(seen[1]!.traceparent).toMatch(pattern);
    expect(seen[2]!.traceparent).toBeNull();
    expect(seen[3]!.traceparent).toBe("00-11111111111111111111111111111111-2222222222222222-01");
    client.uninstall();
    expect(globalThis.fetch).not.toBe(realFetch); // our stub is back in place
  });

  it("leaves fetch alone when propagation is off", () => {
    const before = globalThis.fetch;
    setup();
    expect(globalThis.fetch).toBe(before);
  });
});
