// pin_trace: keep a trace beyond the default hour while it is being debugged, or release it.
import { z } from "zod";
import { TraceIdSchema } from "../../core/params.js";
import { pinTrace } from "../../core/query-pin-trace.js";
import { PinViewSchema } from "../../core/views/schema.js";
import { defineTool } from "../define-tool.js";

export const pinTraceTool = defineTool({
  name: "pin_trace",
  title: "Pin or unpin a trace",
  description: `Extend how long one trace is kept (default retention is about an hour), so it does not expire while you debug it; hours: 0 unpins and restores the normal retention.
Use it when a trace matters beyond the next hour (a bug report, a long investigation). Not needed for reading a trace.
Example: { "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "hours": 24 }`,
  inputSchema: z.object({
    trace_id: TraceIdSchema,
    hours: z
      .number()
      .min(0)
      .default(24)
      .describe("Keep the trace this many hours from now (bounded by the server's PIN_MAX_SECONDS); 0 unpins."),
  }),
  outputSchema: PinViewSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: (input, { services, now }) => pinTrace(services.store(), services.config, input.trace_id, input.hours, now),
});
