// Small renderers shared by several tools.
import type { TraceSummary } from "../../core/schema.js";

/** "12 s ago", "3 min ago", "2.1 h ago". */
export function ago(now: number, at: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${(s / 3600).toFixed(1)} h ago`;
}

/** "browser 30, convex 12". */
export function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
}

/** "37 browser by rate_limit_trace, 2 convex by invalid". */
export function droppedText(dropped: TraceSummary["dropped"]): string {
  return dropped.map((d) => `${d.count} ${d.system} by ${d.reason}`).join(", ");
}
