// list_errors: what is failing across recent traces (or in one), grouped by fingerprint.
import {
  decodeCursor,
  encodeCursor,
  groupErrors,
  renderErrorGroups,
  type ErrorGroup,
  type RenderedPage,
} from "./analysis/index.js";
import { loadTrace } from "./query-shared.js";
import type { LogEntry, System } from "./schema.js";
import type { LogStore } from "./store/log-store.js";

export interface ErrorsQuery {
  since_minutes: number;
  system?: System;
  trace_id?: string;
  limit: number;
  cursor?: string;
}

export interface ErrorsResult {
  groups: ErrorGroup[];
  total_errors: number;
  next_cursor?: string;
  page: RenderedPage;
}

export async function listErrors(store: LogStore, q: ErrorsQuery, now: number): Promise<ErrorsResult> {
  const scope = {
    tool: "list_errors",
    since_minutes: q.since_minutes,
    system: q.system,
    trace_id: q.trace_id,
    limit: q.limit,
  };
  const offset = q.cursor ? decodeCursor(q.cursor, scope) : 0;
  const since = now - q.since_minutes * 60_000;
  let errors: LogEntry[];
  if (q.trace_id) {
    // One trace: read it whole, so the answer does not depend on the trimmed error index.
    errors = (await loadTrace(store, q.trace_id)).entries.filter((e) => e.level === "error" && e.received_at >= since);
  } else {
    errors = await store.listErrorRefs(since);
  }
  if (q.system) errors = errors.filter((e) => e.system === q.system);
  const groups = groupErrors(errors);
  const scopeText = `in the last ${q.since_minutes} min${q.system ? ` from ${q.system}` : ""}${q.trace_id ? ` in trace ${q.trace_id}` : ""}`;
  const page = renderErrorGroups(groups, {
    offset,
    maxItems: q.limit,
    scope: scopeText,
    continueWith: (n) => `cursor "${encodeCursor(n, scope)}"`,
  });
  return {
    groups: groups.slice(page.offset, page.offset + page.shown),
    total_errors: errors.length,
    ...(page.next_offset !== null ? { next_cursor: encodeCursor(page.next_offset, scope) } : {}),
    page,
  };
}
