// list_traces: recent traces from the index, filtered and paged.
import type { System } from "./schema.js";
import { paging } from "./query-shared.js";
import { describeSince, isNew, parseSince, sinceToken } from "./since.js";
import type { LogStore } from "./store/log-store.js";
import type { Answer } from "./views/page.js";
import type { TracesView } from "./views/schema.js";
import { buildTracesView, tracesText } from "./views/traces.js";

/** Traces read from the index per listing before filtering (bounded cost: the index, then their meta, two commands). */
export const LIST_TRACES_SCAN = 1000;

export interface ListTracesParams {
  since_minutes: number;
  system?: System;
  has_errors?: boolean;
  user_id?: string;
  /** A since token from an earlier answer: only traces with activity after it. */
  since?: string;
  limit: number;
  cursor?: string;
  budget_tokens?: number;
  /** Characters instead of the token budget (the JSON API). */
  max_chars?: number;
}

export async function listTraces(store: LogStore, params: ListTracesParams, now: number): Promise<Answer<TracesView>> {
  const { cursor, limit, budget_tokens, max_chars, ...filters } = params;
  const mark = params.since !== undefined ? parseSince(params.since) : undefined;
  const page = paging({ tool: "list_traces", ...filters, limit }, cursor);
  const all = await store.listTraces(now - params.since_minutes * 60_000, LIST_TRACES_SCAN);
  const matching = all.filter(
    (t) =>
      (!params.system || (t.by_system[params.system] ?? 0) > 0) &&
      (params.has_errors === undefined || t.error_count > 0 === params.has_errors) &&
      (!params.user_id || t.users.includes(params.user_id)) &&
      (!mark || isNew(mark, t.last_seen, t.trace_id)),
  );
  const view = buildTracesView(
    {
      traces: matching,
      scope: `in the last ${params.since_minutes} min`,
      ...(mark ? { newOnly: describeSince(mark, "traces with entries") } : {}),
      since: sinceToken(
        all.map((t) => ({ at: t.last_seen, key: t.trace_id })),
        now,
      ),
      now,
    },
    {
      offset: page.offset,
      maxRows: limit,
      ...(budget_tokens ? { budgetTokens: budget_tokens } : {}),
      ...(max_chars ? { maxChars: max_chars } : {}),
      cursorAt: page.cursorAt,
    },
  );
  return { view, text: tracesText(view, now) };
}
