// list_traces: where an agent starts: which traces exist, how busy, and which have errors.
import { z } from "zod";
import { BudgetSchema, CursorSchema, LimitSchema, SinceMinutesSchema, SinceArgSchema } from "../../core/params.js";
import { listTraces } from "../../core/query-list-traces.js";
import { SystemSchema } from "../../core/schema.js";
import { TracesViewSchema } from "../../core/views/schema.js";
import { defineTool } from "../define-tool.js";

export const listTracesTool = defineTool({
  name: "list_traces",
  title: "List recent traces",
  description: `List recent traces (one user action across browser, Convex and Workers), newest activity first, with entry counts by system and level, error counts, users and dropped entries. Pass the since token of an earlier answer to list only traces with activity since (after a fix, reproduce and look again).
Use it first, to find the trace id of the action you are debugging, or to see which traces have errors.
Not for reading entries: use get_trace or correlate_trace with a trace_id from here.
Example: { "has_errors": true, "since_minutes": 15 }`,
  inputSchema: z.object({
    since_minutes: SinceMinutesSchema,
    system: SystemSchema.optional().describe("Only traces with entries from this system."),
    has_errors: z.boolean().optional().describe("true: only traces with errors; false: only traces without."),
    user_id: z.string().max(256).optional().describe("Only traces that carry this user id."),
    since: SinceArgSchema,
    limit: LimitSchema(20, 100),
    cursor: CursorSchema,
    budget_tokens: BudgetSchema,
  }),
  outputSchema: TracesViewSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  handler: (input, { services, now }) => listTraces(services.store(), input, now),
});
