// Parameter schemas shared by the MCP tools and the JSON API, each described for an agent.
import { z } from "zod";
import { MAX_TOKEN_BUDGET, MIN_TOKEN_BUDGET } from "./analysis/limits.js";
import { TraceIdSchema } from "./schema.js";

export { TraceIdSchema };

/** Largest page any listing returns. */
export const MAX_PAGE_LIMIT = 200;

export const SinceMinutesSchema = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 60)
  .default(60)
  .describe("Look back this many minutes from now (default 60: traces are kept about an hour unless pinned).");

export const LimitSchema = (fallback: number, max = MAX_PAGE_LIMIT) =>
  z
    .number()
    .int()
    .min(1)
    .max(max)
    .default(fallback)
    .describe(`Maximum items to return (default ${fallback}, at most ${max}).`);

export const CursorSchema = z
  .string()
  .max(200)
  .optional()
  .describe("Opaque cursor from a previous answer's next_cursor, to get the next page with the same filters.");

export const BudgetSchema = z
  .number()
  .int()
  .min(MIN_TOKEN_BUDGET)
  .max(MAX_TOKEN_BUDGET)
  .optional()
  .describe(
    `Size of the answer in tokens (default 8000, at most ${MAX_TOKEN_BUDGET}; answers stay under 45,000 characters). Raise it only when you need more per page.`,
  );

const SINCE_TOKEN_TEXT =
  "The since token of an earlier answer: only what arrived after that answer (after a fix, reproduce the bug and pass it to see only what is new).";

export const SinceTokenSchema = z.string().max(600).describe(SINCE_TOKEN_TEXT);

/** The optional `since` argument of list_traces and list_errors. */
export const SinceArgSchema = SinceTokenSchema.optional().describe(SINCE_TOKEN_TEXT);
