// correlate_trace: one trace read once from the store and analysed in core/analysis, with its text report.
import { correlateTrace, renderCorrelation, type Correlation, type RenderedPage } from "./analysis/index.js";
import { loadTrace } from "./query-shared.js";
import type { LogStore } from "./store/log-store.js";

/** The correlation of one trace (what the JSON API returns). */
export async function analyseTrace(store: LogStore, traceId: string): Promise<Correlation> {
  const { entries, summary } = await loadTrace(store, traceId);
  return correlateTrace(entries, summary);
}

/** The correlation with its text report for an agent (correlate_trace). */
export async function correlate(
  store: LogStore,
  traceId: string,
  budgetTokens?: number,
): Promise<{ correlation: Correlation; page: RenderedPage }> {
  const correlation = await analyseTrace(store, traceId);
  return { correlation, page: renderCorrelation(correlation, budgetTokens ? { budgetTokens } : {}) };
}
