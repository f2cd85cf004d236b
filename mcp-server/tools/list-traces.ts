// list_traces: where an agent starts: which traces exist, how busy, and which have errors.
import { z } from "zod";
import { CursorSchema, LimitSchema, SinceMinutesSchema } from "../../core/params.js";
import { listTraces } from "../../core/query-list-traces.js";
import { SystemSchema, TraceSummarySchema } from "../../core/schema.js";
import { defineTool } from "../define-tool.js";
import { ago, countsText, droppedText } from "./shared.js";

export const listTracesTool = defineTool({
  name: "list_traces",
  title: "List recent traces",
  description: `List recent traces (one user action across browser, Convex and Workers), newest activity first, with entry counts by system and level, error counts, users and dropped entries.
Use it first, to find the trace id of the action you are debugging, or to see which traces have errors.
Not for reading entries: use get_trace or correlate_trace with a trace_id from here.
Example: { "has_errors": true, "since_minutes": 15 }`,
  inputSchema: z.object({
    since_minutes: SinceMinutesSchema,
    system: SystemSchema.optional().describe("Only traces with entries from this system."),
    has_errors: z.boolean().optional().describe("true: only traces with errors; false: only traces without."),
    user_id: z.string().max(256).optional().describe("Only traces that carry this user id."),
    limit: LimitSchema(20, 100),
    cursor: CursorSchema,
  }),
  outputSchema: z.object({
    traces: z.array(TraceSummarySchema),
    total: z.number().describe("Traces matching the filters in the window."),
    next_cursor: z.string().optional(),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async handler(input, { services, now }) {
    const result = await listTraces(services.store(), input, now);
    const lines = [
      result.total === 0
        ? `No traces in the last ${input.since_minutes} min match. Widen since_minutes or drop filters; check that clients post to /log.`
        : `${result.total} trace(s) in the last ${input.since_minutes} min match; showing ${result.traces.length}, newest activity first:`,
    ];
    for (const t of result.traces) {
      const parts = [
        t.trace_id,
        `last ${ago(now, t.last_seen)}, first ${ago(now, t.first_seen)}`,
        `${t.count} entries (${countsText(t.by_system)})`,
        t.error_count ? `${t.error_count} error(s)` : "no errors",
      ];
      if (t.users.length) parts.push(`users: ${t.users.slice(0, 5).join(", ")}${t.users.length > 5 ? ", …" : ""}`);
      if (t.dropped.length) parts.push(`dropped: ${droppedText(t.dropped)}`);
      if (t.pinned_until && t.pinned_until > now) parts.push("pinned");
      lines.push(`- ${parts.join(" | ")}`);
    }
    if (result.next_cursor) {
      lines.push(`${result.total - result.traces.length} more: call again with cursor "${result.next_cursor}".`);
    }
    return { text: lines.join("\n"), structured: result };
  },
});
