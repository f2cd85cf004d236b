// get_trace: one trace's entries in clock-corrected order, filtered and paged within a token budget.
import { z } from "zod";
import { EntryFilterSchema } from "../../core/analysis/index.js";
import { BudgetSchema, CursorSchema, LimitSchema, SinceTokenSchema, TraceIdSchema } from "../../core/params.js";
import { getTrace } from "../../core/query-get-trace.js";
import { TraceViewSchema } from "../../core/views/schema.js";
import { defineTool } from "../define-tool.js";

export const getTraceTool = defineTool({
  name: "get_trace",
  title: "Read a trace's entries",
  description: `Read one trace's log entries from all systems in clock-corrected order: relative time, system, level, message, entry id; failures whole with their top stack frames; identical repeats folded into one row ("x250"). Failures not on the page are listed with the around call that opens them. Filter by systems, levels, time, text or regex; page with the cursor; pass an earlier answer's since token to see only new entries.
Use it to read what happened around an error after correlate_trace pointed at it, or to read a short trace whole. Not for the analysis (root cause, chains, skew): call correlate_trace first.
Example: { "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "levels": ["warn", "error"] }`,
  inputSchema: EntryFilterSchema.extend({
    trace_id: TraceIdSchema,
    since: z
      .union([EntryFilterSchema.shape.since.unwrap(), SinceTokenSchema])
      .optional()
      .describe(
        "Only entries at or after this corrected time (ms since epoch, server clock), or a since token from an earlier answer: only entries that arrived after it.",
      ),
    around: z
      .string()
      .max(128)
      .optional()
      .describe("An entry id (from a failure list or another answer): the page starts a few entries before it."),
    limit: LimitSchema(200, 1000).describe("Most rows on a page (default 200; folded repeats are one row)."),
    cursor: CursorSchema,
    budget_tokens: BudgetSchema,
  }),
  outputSchema: TraceViewSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  handler: (input, { services, now }) => getTrace(services.store(), input, now),
});
