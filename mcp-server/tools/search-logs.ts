// search_logs: find entries by text or bounded regex across recent traces.
import { z } from "zod";
import { EntryFilterSchema } from "../../core/analysis/index.js";
import { BudgetSchema, CursorSchema, LimitSchema, SinceMinutesSchema, TraceIdSchema } from "../../core/params.js";
import { searchLogs } from "../../core/query-search-logs.js";
import { defineTool } from "../define-tool.js";
import { SearchViewSchema } from "../../core/views/schema.js";

export const searchLogsTool = defineTool({
  name: "search_logs",
  title: "Search logs across traces",
  description: `Search entries of recent traces by case-insensitive text (query) or a bounded regular expression (regex), with the same system, level and time filters as get_trace. Returns matching entries with their trace ids, oldest first.
Use it to find the trace of a symptom you know ("payment failed", a user's email, a request id). Not for browsing one trace: use get_trace.
Example: { "query": "timeout", "levels": ["error"], "since_minutes": 30 }`,
  inputSchema: EntryFilterSchema.omit({ text: true }).extend({
    query: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .describe('Case-insensitive text to find in messages and stacks, e.g. "ECONNRESET".'),
    since_minutes: SinceMinutesSchema,
    trace_id: TraceIdSchema.optional().describe("Search only this trace."),
    limit: LimitSchema(50, 500),
    cursor: CursorSchema,
    budget_tokens: BudgetSchema,
  }),
  outputSchema: SearchViewSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  handler: (input, { services, now }) => searchLogs(services.store(), input, now),
});
