// list_errors: what is failing across recent traces (or in one), grouped by fingerprint.
import { groupErrors } from "./analysis/index.js";
import { loadTrace, paging } from "./query-shared.js";
import type { LogEntry, System } from "./schema.js";
import { describeSince, isNew, parseSince, sinceToken } from "./since.js";
import type { LogStore } from "./store/log-store.js";
import { buildErrorsView, errorsText } from "./views/errors.js";
import type { Answer } from "./views/page.js";
import type { ErrorsView } from "./views/schema.js";

export interface ErrorsQuery {
  since_minutes: number;
  system?: System;
  trace_id?: string;
  /** A since token from an earlier answer: only errors that arrived after it. */
  since?: string;
  limit: number;
  cursor?: string;
  budget_tokens?: number;
  /** Characters instead of the token budget (the JSON API). */
  max_chars?: number;
}

export async function listErrors(store: LogStore, q: ErrorsQuery, now: number): Promise<Answer<ErrorsView>> {
  const mark = q.since !== undefined ? parseSince(q.since) : undefined;
  const page = paging(
    {
      tool: "list_errors",
      since_minutes: q.since_minutes,
      system: q.system,
      trace_id: q.trace_id,
      since: q.since,
      limit: q.limit,
    },
    q.cursor,
  );
  const window = now - q.since_minutes * 60_000;
  let errors: LogEntry[];
  if (q.trace_id) {
    // One trace: read it whole, so the answer does not depend on the trimmed error index.
    errors = (await loadTrace(store, q.trace_id)).entries.filter((e) => e.level === "error" && e.received_at >= window);
  } else {
    errors = await store.listErrorRefs(window);
  }
  if (q.system) errors = errors.filter((e) => e.system === q.system);
  const token = sinceToken(
    errors.map((e) => ({ at: e.received_at, key: e.id })),
    now,
  );
  if (mark) errors = errors.filter((e) => isNew(mark, e.received_at, e.id));
  const groups = groupErrors(errors);
  const sampleIds = new Set(groups.map((g) => g.sample_id));
  const samples = new Map(errors.filter((e) => sampleIds.has(e.id)).map((e) => [e.id, e]));
  const view = buildErrorsView(
    {
      groups,
      samples,
      scope: `in the last ${q.since_minutes} min${q.system ? ` from ${q.system}` : ""}${q.trace_id ? ` in trace ${q.trace_id}` : ""}`,
      ...(mark ? { newOnly: describeSince(mark, "errors") } : {}),
      total_errors: errors.length,
      since: token,
    },
    {
      offset: page.offset,
      maxRows: q.limit,
      ...(q.budget_tokens ? { budgetTokens: q.budget_tokens } : {}),
      ...(q.max_chars ? { maxChars: q.max_chars } : {}),
      cursorAt: page.cursorAt,
    },
  );
  return { view, text: errorsText(view) };
}
