// list_errors: what is failing across recent traces, grouped by fingerprint.
import { z } from "zod";
import {
  BudgetSchema,
  CursorSchema,
  LimitSchema,
  SinceMinutesSchema,
  SinceArgSchema,
  TraceIdSchema,
} from "../../core/params.js";
import { listErrors } from "../../core/query-list-errors.js";
import { SystemSchema } from "../../core/schema.js";
import { ErrorsViewSchema } from "../../core/views/schema.js";
import { defineTool } from "../define-tool.js";

export const listErrorsTool = defineTool({
  name: "list_errors",
  title: "List errors grouped by fingerprint",
  description: `List errors across recent traces grouped by fingerprint (system, error type, message with ids/numbers/urls/quoted values normalised, top in-app stack frames): count, first and last seen, systems, a whole sample message and stack top, and the trace ids where each occurs. After a fix, pass the since token of an earlier answer to see only errors that arrived since.
Use it to see what is failing and how often, or to pick a trace to analyse (then call correlate_trace with one of its trace ids). Not for one trace's full story: use correlate_trace.
Example: { "since_minutes": 30, "system": "convex" }`,
  inputSchema: z.object({
    since_minutes: SinceMinutesSchema,
    system: SystemSchema.optional().describe("Only errors from this system."),
    trace_id: TraceIdSchema.optional().describe("Only errors of this trace."),
    since: SinceArgSchema,
    limit: LimitSchema(20, 100),
    cursor: CursorSchema,
    budget_tokens: BudgetSchema,
  }),
  outputSchema: ErrorsViewSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  handler: (input, { services, now }) => listErrors(services.store(), input, now),
});
