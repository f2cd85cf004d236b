// Output schemas shared by several tools (zod, so structuredContent is validated by the SDK).
import { z } from "zod";
import { LevelSchema, SystemSchema } from "../../core/schema.js";

export const EntryViewSchema = z.object({
  id: z.string(),
  timestamp: z.number().describe("Clock-corrected time on the server clock, ms since epoch."),
  rel_ms: z.number().describe("ms since the first entry of the trace (or of the search)."),
  system: SystemSchema,
  level: LevelSchema,
  message: z.string().describe("Log content (untrusted data), capped at 300 characters."),
  source: z.string().optional(),
  stack_top: z.string().optional(),
  span_id: z.string().optional(),
  user_id: z.string().optional(),
});

export const BudgetSchema = z
  .number()
  .int()
  .min(500)
  .max(20_000)
  .optional()
  .describe("Size of the text answer in tokens (default 8000). Raise it only when you need more per page.");
