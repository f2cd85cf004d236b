import { describe, expect, it } from "vitest";
import {
  MAX_DEPTH,
  MAX_ITEMS,
  MAX_MESSAGE_CHARS,
  MAX_STRING_CHARS,
  formatArgs,
  stackOf,
  toJsonSafe,
} from "./serialize.js";

describe("toJsonSafe", () => {
  it("keeps plain data as it is", () => {
    const data = { a: 1, b: "two", c: [true, null, { d: 4.5 }] };
    expect(toJsonSafe(data)).toEqual(data);
  });

  it("marks cycles but keeps repeated (non-circular) references", () => {
    const shared = { x: 1 };
    const obj: Record<string, unknown> = { shared, again: shared };
    obj.self = obj;
    expect(toJsonSafe(obj)).toEqual({ shared: { x: 1 }, again: { x: 1 }, self: "[Circular]" });
  });

  it("serialises Errors with name, message, stack, cause and extra fields", () => {
    const cause = new TypeError("socket closed");
    const error = Object.assign(new Error("fetch failed", { cause }), { code: "E_FETCH" });
    const json = toJsonSafe(error) as Record<string, unknown>;
    expect(json).toMatchObject({ name: "Error", message: "fetch failed", code: "E_FETCH" });
    expect(json.stack).toContain("fetch failed");
    expect(json.stack).toMatch(/serialize\.test\.ts/);
    expect(json.cause).toMatchObject({ name: "TypeError", message: "socket closed" });
  });

  it("describes DOM-like nodes as selectors", () => {
    const button = { nodeType: 1, nodeName: "BUTTON", id: "save", className: " primary  large " };
    expect(toJsonSafe(button)).toBe("button#save.primary.large");
    expect(toJsonSafe({ nodeType: 9, nodeName: "#document" })).toBe("#document");
    expect(toJsonSafe({ nodeType: 1, nodeName: "DIV", id: "", className: "" })).toBe("div");
  });

  it("handles Maps, Sets, BigInt, Symbols, functions, undefined, NaN, Dates and RegExps", () => {
    const out = toJsonSafe({
      map: new Map<unknown, unknown>([
        ["k", 1],
        [{ o: 1 }, "v"],
      ]),
      set: new Set([1, 2]),
      big: 12345678901234567890n,
      sym: Symbol("tag"),
      fn: function handleClick() {},
      arrow: () => 1,
      undef: undefined,
      nan: NaN,
      date: new Date(0),
      re: /ab+c/gi,
      bytes: new Uint8Array(4),
    });
    expect(out).toEqual({
      map: {
        "[Map]": [
          ["k", 1],
          [{ o: 1 }, "v"],
        ],
      },
      set: { "[Set]": [1, 2] },
      big: "12345678901234567890n",
      sym: "Symbol(tag)",
      fn: "[Function handleClick]",
      arrow: "[Function arrow]",
      undef: "[undefined]",
      nan: "NaN",
      date: "1970-01-01T00:00:00.000Z",
      re: "/ab+c/gi",
      bytes: "[Uint8Array]",
    });
  });

  it("caps huge strings, long arrays, wide objects and deep nesting", () => {
    const long = "x".repeat(MAX_STRING_CHARS * 3);
    expect((toJsonSafe(long) as string).length).toBeLessThan(MAX_STRING_CHARS + 20);
    expect(toJsonSafe(long)).toMatch(/…\[truncated\]$/);

    const arr = toJsonSafe(Array.from({ length: 1000 }, (_, i) => i)) as unknown[];
    expect(arr).toHaveLength(MAX_ITEMS + 1);
    expect(arr.at(-1)).toBe(`… ${1000 - MAX_ITEMS} more items`);

    const wide = toJsonSafe(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]))) as Record<
      string,
      unknown
    >;
    expect(Object.keys(wide)).toHaveLength(MAX_ITEMS + 1);
    expect(wide["…"]).toBe(`${200 - MAX_ITEMS} more keys`);

    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i++) deep = { child: deep };
    let node = toJsonSafe(deep) as Record<string, unknown>;
    let levels = 0;
    while (typeof node === "object" && node && "child" in node) {
      node = node.child as Record<string, unknown>;
      levels++;
    }
    expect(levels).toBe(MAX_DEPTH);
    expect(node).toBe("[Depth limit]");
  });

  it("never throws: throwing getters, toJSON and proxies", () => {
    const getter = Object.defineProperty({ ok: 1 }, "bad", {
      enumerable: true,
      get() {
        throw new Error("no");
      },
    });
    expect(toJsonSafe(getter)).toEqual({ ok: 1, bad: "[Unserializable]" });
    expect(
      toJsonSafe({
        toJSON: () => {
          throw new Error("no");
        },
      }),
    ).toBe("[Unserializable]");
    const proxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("no");
        },
      },
    );
    expect(toJsonSafe(proxy)).toBe("[Unserializable]");
  });

  it("uses toJSON where an object defines one", () => {
    expect(toJsonSafe({ url: new URL("https://example.com/a?b=1") })).toEqual({ url: "https://example.com/a?b=1" });
  });
});

describe("formatArgs", () => {
  it("joins arguments like the console does", () => {
    expect(formatArgs(["saved", 3, "items", { id: 1 }, null, undefined, true])).toBe(
      'saved 3 items {"id":1} null undefined true',
    );
  });

  it("substitutes printf-style placeholders", () => {
    expect(formatArgs(["%s has %d items (%i%%) %o", "cart", 3.7, 42, { a: 1 }, "extra"])).toBe(
      'cart has 3 items (42%) {"a":1} extra',
    );
    expect(formatArgs(["%cstyled", "color: red"])).toBe("styled");
    expect(formatArgs(["missing %s"])).toBe("missing %s");
  });

  it("prints Errors as name: message", () => {
    expect(formatArgs(["failed:", new RangeError("too big")])).toBe("failed: RangeError: too big");
  });

  it("caps the message", () => {
    expect(formatArgs(["y".repeat(MAX_MESSAGE_CHARS * 2)]).length).toBeLessThan(MAX_MESSAGE_CHARS + 20);
  });
});

describe("stackOf", () => {
  it("appends the cause chain", () => {
    const error = new Error("outer", { cause: new Error("inner") });
    const stack = stackOf(error)!;
    expect(stack).toMatch(/^Error: outer\n/);
    expect(stack).toContain("\nCaused by: Error: inner");
  });

  it("is undefined for non-errors", () => {
    expect(stackOf("nope")).toBeUndefined();
    expect(stackOf(undefined)).toBeUndefined();
  });
});
