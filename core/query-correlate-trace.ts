// correlate_trace: one trace read once from the store, analysed in core/analysis, and the answer built from
// the Correlation within the budget (core/views/correlation.ts), with the text rendered from it.
import { correlateTrace, type Correlation } from "./analysis/index.js";
import { loadTrace } from "./query-shared.js";
import type { LogEntry } from "./schema.js";
import type { LogStore } from "./store/log-store.js";
import { buildCorrelationView, correlationText, type CorrelationViewOptions } from "./views/correlation.js";
import type { Answer } from "./views/page.js";
import type { CorrelationView } from "./views/schema.js";

/** The correlation of one trace with its entries by id. */
export async function analyseTrace(
  store: LogStore,
  traceId: string,
): Promise<{ correlation: Correlation; entryOf: (id: string) => LogEntry | undefined }> {
  const { entries, summary, coverage } = await loadTrace(store, traceId);
  const correlation = correlateTrace(entries, summary, coverage.complete);
  if (coverage.note) correlation.warnings.unshift(coverage.note);
  // Only the ids the report names are looked up: index them, not the whole trace.
  const wanted = new Set([correlation.root_cause?.id, ...correlation.timeline.map((l) => l.id)]);
  const byId = new Map<string, LogEntry>();
  for (const e of entries) if (wanted.has(e.id)) byId.set(e.id, e);
  return { correlation, entryOf: (id) => byId.get(id) };
}

export async function correlate(
  store: LogStore,
  traceId: string,
  options: CorrelationViewOptions = {},
): Promise<Answer<CorrelationView>> {
  const { correlation, entryOf } = await analyseTrace(store, traceId);
  const view = buildCorrelationView(correlation, entryOf, options);
  return { view, text: correlationText(view) };
}
