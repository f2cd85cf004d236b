// What an agent must know before trusting an analysis: entries that never arrived, text that was cut,
// clocks that could only be estimated.
import type { LogEntry, TraceSummary } from "../schema.js";
import { formatDuration, plural, quote } from "./format.js";
import type { SystemSkew } from "./skew.js";

/** Skew estimates looser than this get a warning: cross-system order within that margin is a guess, ms. */
const UNCERTAIN_SKEW_MS = 1_000;

export function traceWarnings(
  entries: readonly LogEntry[],
  summary: TraceSummary | undefined,
  skew: SystemSkew[],
  /** False when the store read the trace in part on purpose (its own note says what was left out). */
  readWhole = true,
): string[] {
  const warnings: string[] = [];
  if (entries.length === 0) warnings.push("no entries were read for this trace (it may have expired or never existed)");

  const dropped = new Map<string, number>();
  for (const d of summary?.dropped ?? []) {
    if (d.count > 0)
      dropped.set(`${d.system}\u0000${d.reason}`, (dropped.get(`${d.system}\u0000${d.reason}`) ?? 0) + d.count);
  }
  for (const [key, count] of [...dropped].sort((a, b) => b[1] - a[1])) {
    const [system, reason] = key.split("\u0000");
    warnings.push(
      `${plural(count, `${system} entry`, `${system} entries`)} dropped by ${quote(reason ?? "", 80)}: the trace is incomplete`,
    );
  }
  if (readWhole && summary && summary.count > entries.length) {
    warnings.push(
      `the trace summary counts ${plural(summary.count, "entry", "entries")} but ${entries.length.toLocaleString("en-US")} were read: the rest expired or were trimmed`,
    );
  }

  const cut = new Map<string, number>();
  let truncated = 0;
  for (const e of entries) {
    if (!e.truncated?.length) continue;
    truncated++;
    for (const field of e.truncated) cut.set(field, (cut.get(field) ?? 0) + 1);
  }
  if (truncated) {
    const fields = [...cut].map(([field, n]) => `${field}: ${n}`).join(", ");
    warnings.push(
      `${plural(truncated, "entry", "entries")} had fields cut to fit the limits (${fields}): their full text was not stored`,
    );
  }

  const traces = new Set<string>();
  for (const e of entries) if (traces.size < 2) traces.add(e.trace_id);
  if (traces.size > 1) warnings.push("the entries belong to more than one trace; the analysis mixes them");

  for (const s of skew) {
    if (s.method === "reference" || s.uncertainty_ms <= UNCERTAIN_SKEW_MS) continue;
    const basis = s.method === "received_at" ? "estimated from arrival times (no batch send times)" : "noisy";
    warnings.push(
      `the ${s.system} clock offset is ${basis}, ±${formatDuration(s.uncertainty_ms)}: order across systems within that margin is uncertain`,
    );
  }
  return warnings;
}
