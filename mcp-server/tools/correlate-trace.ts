// correlate_trace: the senior engineer's pass over one trace: corrected timeline, error chains, root cause.
import { z } from "zod";
import { BudgetSchema, TraceIdSchema } from "../../core/params.js";
import { correlate } from "../../core/query-correlate-trace.js";
import { CorrelationViewSchema } from "../../core/views/schema.js";
import { defineTool } from "../define-tool.js";

export const correlateTraceTool = defineTool({
  name: "correlate_trace",
  title: "Analyse a trace across systems",
  description: `Analyse one trace across browser, Convex and Workers: clock skew per system and the corrected timeline, cross-system hops and long gaps, error chains (which error led to which, with evidence: order after correction, shared request ids or text, hop direction), retry storms, and the likely root cause with its whole message, stack top and evidence, or none when the trace is healthy. Starts with a short summary to act on; warnings say when entries were dropped.
Use it first on a failing trace. Not for reading every entry: follow up with get_trace and around set to the root cause's entry id.
Example: { "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736" }`,
  inputSchema: z.object({ trace_id: TraceIdSchema, budget_tokens: BudgetSchema }),
  outputSchema: CorrelationViewSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  handler: (input, { services }) =>
    correlate(services.store(), input.trace_id, input.budget_tokens ? { budgetTokens: input.budget_tokens } : {}),
});
