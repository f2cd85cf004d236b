import { describe, expect, it } from "vitest";
import { InputError } from "../errors.js";
import type { LogEntry } from "../schema.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { compileFilter, EntryFilterSchema, filterTimeline } from "./filter.js";
import { propagatedErrorTrace, retryStormTrace, T0 } from "./fixtures.js";
import { REGEX_INPUT_CHARS } from "./limits.js";
import { checkRegex } from "./safe-regex.js";
import { buildTimeline } from "./timeline.js";

const ids = (filter: Parameters<typeof filterTimeline>[1], entries = propagatedErrorTrace()) =>
  filterTimeline(buildTimeline(entries).entries, filter).map((i) => i.entry.id);

describe("filterTimeline", () => {
  it("filters by systems and levels", () => {
    expect(ids({ systems: ["convex"] })).toEqual(["c-called", "c-error"]);
    expect(ids({ levels: ["warn", "error"] })).toEqual(["c-error", "b-error", "b-toast"]);
    expect(ids({ systems: ["browser"], levels: ["error"] })).toEqual(["b-error"]);
    expect(ids({ systems: [], levels: [] })).toHaveLength(6);
  });

  it("filters by corrected time, not by the skewed sender timestamps", () => {
    const tl = buildTimeline(propagatedErrorTrace());
    const error = tl.entries.find((i) => i.entry.id === "c-error")!;
    // The browser clock is 3 s behind: on raw timestamps b-error would fall before this window.
    expect(filterTimeline(tl.entries, { since: error.t, until: error.t + 500 }).map((i) => i.entry.id)).toEqual([
      "c-error",
      "b-error",
      "b-toast",
    ]);
    expect(() => compileFilter({ since: T0 + 10, until: T0 + 10 })).toThrow(/since .* must be earlier than until/);
  });

  it("matches text case-insensitively in the message or the stack, literally", () => {
    expect(ids({ text: "MESSAGE TOO LONG" })).toEqual(["c-error", "b-error"]);
    expect(ids({ text: "convex/messages.ts:14" })).toEqual(["c-error", "b-error"]);
    expect(ids({ text: "chat.tsx:42" })).toEqual(["b-error"]); // only in the browser stack
    expect(ids({ text: "(2412 >" })).toEqual(["c-error", "b-error"]); // regex characters are literal
  });

  it("matches a regex and tests at most the capped input", () => {
    expect(ids({ regex: "status 50[0-4]" }, retryStormTrace(2))).toEqual(["b-retry-1", "b-retry-2", "b-gave-up"]);
    const long: LogEntry = {
      id: "long",
      trace_id: "t",
      system: "worker",
      level: "log",
      message: `${"a".repeat(REGEX_INPUT_CHARS[1]!)} needle`,
      timestamp: T0,
      received_at: T0,
    };
    expect(ids({ regex: "needle" }, [long])).toEqual(["long"]); // no quantifier: the whole message
    expect(ids({ regex: "ne+dle" }, [long])).toEqual([]); // one quantifier: the first 2,000 characters
    expect(ids({ text: "needle" }, [long])).toEqual(["long"]);
  });

  it("exposes a schema with descriptions for the tools", () => {
    const parsed = EntryFilterSchema.parse({ systems: ["browser"], regex: "x" });
    expect(parsed).toEqual({ systems: ["browser"], regex: "x" });
    expect(EntryFilterSchema.shape.regex.description).toContain("nested quantifiers");
    expect(() => EntryFilterSchema.parse({ systems: ["mainframe"] })).toThrow();
  });
});

describe("checkRegex", () => {
  it.each([
    ["x".repeat(201), /regex is 201 characters long; the limit is 200/],
    ["(a+)+$", /nested quantifier near "\(a\+\)\+"/],
    ["(\\w+\\s?)*x", /nested quantifier/],
    ["(?:a|aa)+b", /repeats a group of alternatives/],
    ["((a|b)c)*", /repeats a group of alternatives/],
    ["(a)\\1", /backreferences/],
    ["(\\w)\\k<x>", /backreferences/],
    ["a.*b.*c.*d.*e", /4 unbounded quantifiers .* the limit is 3/],
    ["(unclosed", /regex does not compile/],
  ])("rejects %s", (pattern, message) => {
    expect(() => checkRegex(pattern)).toThrow(InputError);
    expect(() => checkRegex(pattern)).toThrow(message);
  });

  it.each([
    ["status (502|503)", 0],
    ["timed? ?out", 0],
    ["\\d{3} ms", 0],
    ["(https?://)?example\\.com", 0],
    ["user_\\d+", 1],
    ["[(+*]+x", 1],
    ["\\(+a", 1],
    ["error.*timeout", 1],
    ["a{2,}b+", 2],
  ])("accepts %s with %i unbounded quantifiers", (pattern, unbounded) => {
    expect(checkRegex(pattern).unbounded).toBe(unbounded);
  });

  it("drops a redundant .* at either end and shrinks the input as quantifiers add up", () => {
    const r = checkRegex(".*.*timeout.*");
    expect(r.regex.source).toBe("timeout");
    expect(r.inputChars).toBe(REGEX_INPUT_CHARS[0]);
    expect(checkRegex("\\w+\\s*\\w+x").inputChars).toBe(REGEX_INPUT_CHARS[3]);
    expect(checkRegex("a\\.*").regex.source).toBe("a\\.*"); // an escaped dot is not a wildcard
  });
});

describe("cursors", () => {
  const scope = { tool: "get_trace", trace_id: "t1", filter: { levels: ["warn", "error"], text: "x" } };

  it("round-trips an offset for the same query, whatever the key or list order", () => {
    const cursor = encodeCursor(320, scope);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(
      decodeCursor(cursor, { filter: { text: "x", levels: ["error", "warn"] }, trace_id: "t1", tool: "get_trace" }),
    ).toBe(320);
  });

  it("refuses a cursor replayed with other filters or another trace", () => {
    const cursor = encodeCursor(320, scope);
    expect(() => decodeCursor(cursor, { ...scope, trace_id: "t2" })).toThrow(/cursor belongs to a different query/);
    expect(() => decodeCursor(cursor, { ...scope, filter: { levels: ["error"], text: "x" } })).toThrow(InputError);
  });

  it("refuses garbage clearly", () => {
    for (const bad of ["", "not a cursor!", "djEuMTIz", encodeCursor(1, scope).slice(0, -3)]) {
      expect(() => decodeCursor(bad, scope)).toThrow(/cursor is not valid: pass the cursor string exactly/);
    }
  });
});
