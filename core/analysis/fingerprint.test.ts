import { describe, expect, it } from "vitest";
import type { LogEntry } from "../schema.js";
import { errorType, fingerprint, groupErrors, normaliseMessage } from "./fingerprint.js";
import { errorGroupFixture, T0 } from "./fixtures.js";
import { fnv1a64, shortHash } from "./hash.js";
import { GROUP_TRACE_IDS_MAX } from "./limits.js";
import { frameKey, parseFrame, parseStack } from "./stack.js";

describe("fnv1a64", () => {
  it("matches the reference FNV-1a 64 vectors", () => {
    expect(fnv1a64("")).toBe("cbf29ce484222325");
    expect(fnv1a64("a")).toBe("af63dc4c8601ec8c");
    expect(fnv1a64("foobar")).toBe("85944171f73967e8");
    expect(shortHash("foobar")).toBe("85944171f739");
  });
});

describe("normaliseMessage", () => {
  it.each([
    ["Failed to load user 1234", "Failed to load user <num>"],
    ["Timeout after 2.5s", "Timeout after <dur>"],
    ["retrying in 50ms (attempt 1/4)", "retrying in <dur> (attempt <num>/<num>)"],
    ["retrying in 100ms (attempt 2/4)", "retrying in <dur> (attempt <num>/<num>)"],
    ["doc 0b9c6f1e-54d2-4c1a-9a3e-7f2d1c0b9a88 gone", "doc <uuid> gone"],
    ["GET https://api.example.com/v1/users/42?x=1 failed", "GET <url> failed"],
    ["no account for ada@example.com", "no account for <email>"],
    [`Cannot read properties of undefined (reading 'name')`, "Cannot read properties of undefined (reading <str>)"],
    ['key "user:42" missing', "key <str> missing"],
    ["at 2025-01-15T12:00:04.000Z and 2025-01-16", "at <date> and <date>"],
    ["id 0x1f3a and build a1b2c3d4e5 and k8dtaz37q", "id <id> and build <id> and <id>"],
    ["HTTP 500 from upstream, status: 404", "http 500 from upstream, status: 404"],
    ["line one\n    at handler (x.js:1:2)", "line one"],
  ])("%s", (input, expected) => {
    expect(normaliseMessage(input)).toBe(expected);
  });

  it("leaves words with digits that are not ids alone", () => {
    expect(normaliseMessage("utf8 decode error in base64")).toBe("utf8 decode error in base64");
  });
});

describe("errorType", () => {
  it("reads the class from the message, the Convex wrapper or the stack", () => {
    expect(errorType({ message: "TypeError: Failed to fetch" })).toBe("TypeError");
    expect(errorType({ message: "Uncaught Error: Not authorized" })).toBe("Error");
    expect(
      errorType({ message: "[CONVEX M(a:b)] [Request ID: 12ab34cd] Server Error\nUncaught ConvexError: nope" }),
    ).toBe("ConvexError");
    expect(errorType({ message: "fetch failed", stack: "TypeError: fetch failed\n    at x (y.js:1:1)" })).toBe(
      "TypeError",
    );
    expect(errorType({ message: "something odd happened" })).toBe("");
  });
});

describe("parseStack", () => {
  it("parses Chrome, Node, Firefox and Safari frames and marks what is in-app", () => {
    const frames = parseStack(
      [
        "TypeError: boom",
        "    at UserBadge (https://app.example.com/assets/index-a1B2c3D4.js:101:17)",
        "    at async sendMessage (http://localhost:5173/src/Chat.tsx:42:7)",
        "    at renderWithHooks (http://localhost:5173/node_modules/.vite/deps/react-dom.js?v=1a2b:16305:18)",
        "    at processTicksAndRejections (node:internal/process/task_queues:95:5)",
        "    at /app/server/index.js:8:3",
        "    at new Promise (<anonymous>)",
        "UserCard@http://localhost:5173/src/UserCard.tsx:12:9",
        "@http://localhost:5173/src/main.tsx:3:1",
        "forEach@[native code]",
        "this line is prose @ noon",
      ].join("\n"),
    );
    expect(frames.map((f) => [f.fn, f.file, f.line ?? null, f.inApp])).toEqual([
      ["UserBadge", "https://app.example.com/assets/index-a1B2c3D4.js", 101, true],
      ["sendMessage", "http://localhost:5173/src/Chat.tsx", 42, true],
      ["renderWithHooks", "http://localhost:5173/node_modules/.vite/deps/react-dom.js?v=1a2b", 16305, false],
      ["processTicksAndRejections", "node:internal/process/task_queues", 95, false],
      ["", "/app/server/index.js", 8, true],
      ["new Promise", "<anonymous>", null, false],
      ["UserCard", "http://localhost:5173/src/UserCard.tsx", 12, true],
      ["", "http://localhost:5173/src/main.tsx", 3, true],
      ["forEach", "[native code]", null, false],
    ]);
  });

  it("keys frames without line, column, origin, query or build hash", () => {
    const a = parseFrame("at UserBadge (https://app.example.com/assets/index-a1B2c3D4.js:101:17)")!;
    const b = parseFrame("at UserBadge (http://localhost:4173/assets/index-Zx9Y8w7V.js:99:2)")!;
    expect(frameKey(a)).toBe("UserBadge@/assets/index.js");
    expect(frameKey(b)).toBe(frameKey(a));
    expect(frameKey(parseFrame("at x (http://h/src/a.ts?t=123:1:1)")!)).toBe("x@/src/a.ts");
  });
});

describe("fingerprint and groupErrors", () => {
  const entries = errorGroupFixture();
  const groupOf = (id: string) => id.replace(/-\d+$/, "");

  it("groups the same error despite ids, numbers, urls, dates, lines and build hashes, and nothing else", () => {
    const fp = new Map(entries.map((e) => [e.id, fingerprint(e).id]));
    for (const a of entries) {
      for (const b of entries) {
        const same = groupOf(a.id) === groupOf(b.id);
        expect(fp.get(a.id) === fp.get(b.id), `${a.id} vs ${b.id}`).toBe(same);
      }
    }
    expect([...fp.values()].every((id) => /^[0-9a-f]{12}$/.test(id))).toBe(true);
  });

  it("reports counts, systems, first and last seen, samples and trace ids per group, most frequent first", () => {
    const groups = groupErrors(entries);
    expect(groups).toHaveLength(new Set(entries.map((e) => groupOf(e.id))).size);
    const badge = groups.find((g) => g.sample_id === "badge-1")!;
    expect(badge).toMatchObject({
      count: 3,
      systems: ["browser"],
      levels: ["error"],
      error_type: "TypeError",
      sample_id: "badge-1",
      first_seen: T0 + 1000 + 50,
      last_seen: T0 + 3000 + 50,
      trace_ids: ["trace-g1", "trace-g2", "trace-g3"],
      trace_count: 3,
    });
    // Library frames (react-dom) are not part of the sample stack.
    expect(badge.sample_stack_top).toEqual([
      "at UserBadge (https://app.example.com/assets/index-a1B2c3D4.js:101:17)",
      "at ChatHeader (https://app.example.com/assets/index-a1B2c3D4.js:141:20)",
    ]);
    // Most frequent first; among equals, the most recently seen first.
    expect(groups.slice(0, 2).map((g) => g.sample_id)).toEqual(["user-1", "badge-1"]);
    expect(groups.map((g) => g.count)).toEqual([...groups.map((g) => g.count)].sort((a, b) => b - a));
  });

  it("bounds the trace id list but counts every trace", () => {
    const many: LogEntry[] = Array.from({ length: 15 }, (_, i) => ({
      id: `e${i}`,
      trace_id: `trace-${i}`,
      system: "convex",
      level: "error",
      message: `Uncaught Error: quota exceeded for team ${i}`,
      timestamp: T0 + i,
      received_at: T0 + i,
    }));
    const [group] = groupErrors(many);
    expect(group!.count).toBe(15);
    expect(group!.trace_ids).toHaveLength(GROUP_TRACE_IDS_MAX);
    expect(group!.trace_count).toBe(15);
  });

  it("counts only the levels asked for", () => {
    const warn: LogEntry = { ...entries[0]!, id: "w", level: "warn" };
    expect(groupErrors([warn])).toEqual([]);
    expect(groupErrors([warn], { levels: ["warn", "error"] })[0]!.levels).toEqual(["warn"]);
  });
});
