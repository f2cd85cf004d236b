// correlate_trace: the senior engineer's pass over one trace: corrected timeline, error chains, root cause.
import { z } from "zod";
import { TraceIdSchema } from "../../core/params.js";
import { correlate } from "../../core/query-correlate-trace.js";
import { LevelSchema, SystemSchema } from "../../core/schema.js";
import { defineTool } from "../define-tool.js";
import { BudgetSchema } from "./schemas.js";

const RootCauseSchema = z.object({
  id: z.string(),
  system: SystemSchema,
  level: LevelSchema,
  message: z.string(),
  timestamp: z.number().describe("Clock-corrected, ms since epoch."),
  rel_ms: z.number(),
  source: z.string().optional(),
  stack_top: z.array(z.string()),
  evidence: z.array(z.string()),
});

export const correlateTraceTool = defineTool({
  name: "correlate_trace",
  title: "Analyse a trace across systems",
  description: `Analyse one trace across browser, Convex and Workers: clock skew per system and the corrected timeline, cross-system hops and long gaps, error chains (which error led to which, with evidence: order after correction, shared request ids or text, hop direction), retry storms, and the likely root cause with its evidence, or none when the trace is healthy. Ends with a short summary to act on and warnings when entries were dropped.
Use it first on a failing trace. Not for reading every entry: follow up with get_trace around the root cause's entry id.
Example: { "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736" }`,
  inputSchema: z.object({ trace_id: TraceIdSchema, budget_tokens: BudgetSchema }),
  outputSchema: z.object({
    trace_id: z.string(),
    summary: z.string(),
    root_cause: RootCauseSchema.nullable(),
    error_chains: z.array(
      z.object({
        errors: z.array(z.string()),
        error_count: z.number(),
        systems: z.array(z.string()),
        propagation: z.array(z.string()),
        evidence: z.array(z.string()),
        root_id: z.string(),
      }),
    ),
    timeline: z.array(
      z.object({
        id: z.string(),
        index: z.number(),
        rel_ms: z.number(),
        system: SystemSchema,
        level: LevelSchema,
        message: z.string(),
        failure: z.boolean(),
      }),
    ),
    skew: z.array(z.object({ system: z.string(), method: z.string(), skew_ms: z.number(), description: z.string() })),
    warnings: z.array(z.string()),
    stats: z.record(z.string(), z.unknown()),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async handler(input, { services }) {
    const { correlation: c, page } = await correlate(services.store(), input.trace_id, input.budget_tokens);
    return {
      text: page.text,
      structured: {
        trace_id: c.trace_id,
        summary: c.summary,
        root_cause: c.root_cause,
        error_chains: c.error_chains.map(({ errors, error_count, systems, propagation, evidence, root_id }) => ({
          errors,
          error_count,
          systems,
          propagation,
          evidence,
          root_id,
        })),
        timeline: c.timeline,
        skew: c.skew.map(({ system, method, skew_ms, description }) => ({ system, method, skew_ms, description })),
        warnings: c.warnings,
        stats: { ...c.stats },
      },
    };
  },
});
