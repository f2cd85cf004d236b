// Parameter schemas shared by the MCP tools and the JSON API, each described for an agent.
import { z } from "zod";
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
