import { describe, expect, it } from "vitest";
import { describeCoverage, parseNotable, parseStoredEntries, planWindows } from "./read-plan.js";

describe("planWindows", () => {
  it("reads around the newest errors first, then the end, then warnings, then the rest, never a position twice", () => {
    const notable = parseNotable(["w:10", "e:100", "e:500", "junk", "x:3", "e:-1"]);
    expect(notable).toEqual([
      { kind: "warn", pos: 10 },
      { kind: "error", pos: 100 },
      { kind: "error", pos: 500 },
    ]);
    const read = new Set(Array.from({ length: 50 }, (_, i) => i)); // the first page
    expect(planWindows(1000, notable, read)).toEqual([
      [480, 520],
      [80, 120],
      [800, 999],
      [50, 79],
      [121, 479],
      [521, 799],
    ]);
  });

  it("clips windows to the list", () => {
    expect(planWindows(5, [{ kind: "error", pos: 4 }], new Set())).toEqual([[0, 4]]);
    expect(planWindows(0, [], new Set())).toEqual([]);
  });
});

describe("describeCoverage", () => {
  it("is complete when every position was read", () => {
    expect(describeCoverage(3, new Set([0, 1, 2]), undefined, "x")).toEqual({
      complete: true,
      elements: 3,
      read: 3,
      not_read: [],
    });
  });

  it("lists the ranges not read and says so in words", () => {
    const c = describeCoverage(10, new Set([0, 1, 5, 9]), undefined, "more than one read holds");
    expect(c.not_read).toEqual([
      [2, 4],
      [6, 8],
    ]);
    expect(c.note).toBe(
      "Read 4 of 10 stored entries (more than one read holds): the start, the end and the entries around the latest errors and warnings. Not read: 6 entries at positions 2-4, 6-8. The counts in the summary cover the whole trace.",
    );
  });
});

describe("parseStoredEntries", () => {
  const entry = { id: "a", trace_id: "t", system: "browser", level: "log", message: "m", timestamp: 1, received_at: 1 };
  it("reads one entry per element and the older one-array-per-write elements alike, skipping what does not parse", () => {
    const out = parseStoredEntries([
      JSON.stringify(entry),
      JSON.stringify([
        { ...entry, id: "b" },
        { ...entry, id: "c" },
      ]),
      "{",
    ]);
    expect(out.map((e) => e.id)).toEqual(["a", "b", "c"]);
  });
});
