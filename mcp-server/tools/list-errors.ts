// list_errors: what is failing across recent traces, grouped by fingerprint.
import { z } from "zod";
import { CursorSchema, LimitSchema, SinceMinutesSchema, TraceIdSchema } from "../../core/params.js";
import { listErrors } from "../../core/query-list-errors.js";
import { SystemSchema } from "../../core/schema.js";
import { defineTool } from "../define-tool.js";

export const listErrorsTool = defineTool({
  name: "list_errors",
  title: "List errors grouped by fingerprint",
  description: `List errors across recent traces grouped by fingerprint (system, error type, message with ids/numbers/urls/quoted values normalised, top in-app stack frames): count, first and last seen, systems, a sample message and stack top, and the trace ids where each occurs.
Use it to see what is failing and how often, or to pick a trace to analyse (then call correlate_trace with one of its trace ids). Not for one trace's full story: use correlate_trace.
Example: { "since_minutes": 30, "system": "convex" }`,
  inputSchema: z.object({
    since_minutes: SinceMinutesSchema,
    system: SystemSchema.optional().describe("Only errors from this system."),
    trace_id: TraceIdSchema.optional().describe("Only errors of this trace."),
    limit: LimitSchema(20, 100),
    cursor: CursorSchema,
  }),
  outputSchema: z.object({
    groups: z.array(
      z.object({
        fingerprint: z.string(),
        count: z.number(),
        first_seen: z.number(),
        last_seen: z.number(),
        systems: z.array(z.string()),
        error_type: z.string().nullable().optional(),
        message: z.string().describe("Sample message (untrusted log content)."),
        stack_top: z.array(z.string()),
        trace_ids: z.array(z.string()),
        trace_count: z.number(),
      }),
    ),
    total_errors: z.number(),
    next_cursor: z.string().optional(),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async handler(input, { services, now }) {
    const { page, groups, ...rest } = await listErrors(services.store(), input, now);
    return {
      text: page.text,
      structured: {
        ...rest,
        groups: groups.map((g) => ({
          fingerprint: g.fingerprint,
          count: g.count,
          first_seen: g.first_seen,
          last_seen: g.last_seen,
          systems: g.systems,
          error_type: g.error_type ?? null,
          message: g.sample_message.slice(0, 300),
          stack_top: g.sample_stack_top,
          trace_ids: g.trace_ids,
          trace_count: g.trace_count,
        })),
      },
    };
  },
});
