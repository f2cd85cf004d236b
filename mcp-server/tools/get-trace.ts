// get_trace: one trace's entries in clock-corrected order, filtered and paged within a token budget.
import { z } from "zod";
import { EntryFilterSchema } from "../../core/analysis/index.js";
import { CursorSchema, LimitSchema, TraceIdSchema } from "../../core/params.js";
import { getTrace } from "../../core/query-get-trace.js";
import { TraceSummarySchema } from "../../core/schema.js";
import { defineTool } from "../define-tool.js";
import { BudgetSchema, EntryViewSchema } from "./schemas.js";

export const getTraceTool = defineTool({
  name: "get_trace",
  title: "Read a trace's entries",
  description: `Read one trace's log entries from all systems in clock-corrected order: relative time, system, level, quoted message, entry id; stacks cut to the frames that matter; identical repeats folded ("x250"). Filter by systems, levels, time range, text or regex; page with the cursor the answer gives.
Use it to read what happened around an error after correlate_trace pointed at it, or to read a short trace whole. Not for the analysis (root cause, error chains, clock skew): call correlate_trace first. To find a trace, use list_traces or search_logs.
Example: { "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "levels": ["warn", "error"] }`,
  inputSchema: EntryFilterSchema.extend({
    trace_id: TraceIdSchema,
    limit: LimitSchema(200, 1000),
    cursor: CursorSchema,
    budget_tokens: BudgetSchema,
  }),
  outputSchema: z.object({
    trace_id: z.string(),
    summary: TraceSummarySchema,
    total_entries: z.number(),
    matching: z.number().describe("Entries matching the filters."),
    entries: z.array(EntryViewSchema).describe("The entries shown on this page."),
    truncated: z.boolean().describe("true when more matching entries follow: call again with next_cursor."),
    next_cursor: z.string().optional(),
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async handler(input, { services }) {
    const { page, ...structured } = await getTrace(services.store(), input);
    return { text: page.text, structured };
  },
});
