// The incident corpus end to end: every trace's root cause (or none) and the evidence checks that come
// with it. The corpus was written before the ranking rules were tuned to it.
import { describe, expect, it } from "vitest";
import { correlateTrace, type Correlation } from "./correlate.js";
import { INCIDENTS, type Incident } from "./incidents/index.js";

function check(incident: Incident, c: Correlation): void {
  const x = incident.expect;
  expect(c.root_cause?.id ?? null, "root cause").toBe(x.root);
  for (const text of x.rootMessageContains ?? []) expect(c.root_cause!.message).toContain(text);
  const benign = c.benign.flatMap((b) => b.ids);
  for (const id of x.benign ?? []) expect(benign, `benign ${id}`).toContain(id);
  const others = c.error_chains.filter((ch) => ch.role !== "main").map((ch) => ch.root_id);
  for (const id of x.otherChainRoots ?? []) expect(others, `other chain root ${id}`).toContain(id);
  const position = new Map(c.timeline.map((l) => [l.id, l.index]));
  for (const [cause, effect] of x.order ?? []) {
    expect(position.get(cause)!, `${cause} before ${effect}`).toBeLessThan(position.get(effect)!);
  }
  const hops = c.hops.map((h) => `${h.from_id}>${h.to_id}`);
  for (const [from, to] of x.hops ?? []) expect(hops, `hop ${from} -> ${to}`).toContain(`${from}>${to}`);
  for (const [from, to] of x.noHops ?? []) expect(hops, `no hop ${from} -> ${to}`).not.toContain(`${from}>${to}`);
  for (const [a, b] of x.separate ?? []) {
    expect(c.error_chains.some((ch) => ch.errors.includes(a) && ch.errors.includes(b))).toBe(false);
  }
  if (x.stormCount !== undefined) expect(c.retry_storms.map((s) => s.count)).toContain(x.stormCount);
}

describe("incident corpus", () => {
  it("has at least two traces for every pattern", () => {
    const byPattern = new Map<string, number>();
    for (const i of INCIDENTS) byPattern.set(i.pattern, (byPattern.get(i.pattern) ?? 0) + 1);
    for (const [pattern, n] of byPattern) expect(n, pattern).toBeGreaterThanOrEqual(2);
    expect(new Set(INCIDENTS.map((i) => i.name)).size).toBe(INCIDENTS.length);
  });

  for (const incident of INCIDENTS) {
    it(`${incident.pattern}: ${incident.name}`, () => check(incident, correlateTrace(incident.entries)));
  }

  it("names the root cause of every incident", () => {
    const right = INCIDENTS.filter((i) => (correlateTrace(i.entries).root_cause?.id ?? null) === i.expect.root);
    expect(right.map((i) => i.name)).toEqual(INCIDENTS.map((i) => i.name));
  });
});
