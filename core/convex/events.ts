// Convex's log stream events as zod schemas, field for field what convex-backend serialises (current format V2
// and the legacy V1); optional fields arrive as null, so every one of them is nullish.
import { z } from "zod";
import type { Level } from "../schema.js";

const nullish = <T extends z.ZodType>(schema: T) => schema.nullish();

export const FunctionSchema = z.object({
  path: z.string().max(512),
  type: nullish(z.string().max(32)),
  cached: nullish(z.boolean()),
  request_id: nullish(z.string().max(128)),
  mutation_queue_length: nullish(z.number()),
  mutation_retry_count: nullish(z.number()),
  component_path: nullish(z.string().max(512)),
});

export const ConvexBlockSchema = z
  .object({
    deployment_name: nullish(z.string().max(128)),
    deployment_type: nullish(z.string().max(32)),
    project_name: nullish(z.string().max(256)),
    project_slug: nullish(z.string().max(256)),
  })
  .nullish();

export const ConsoleSchema = z.object({
  topic: z.literal("console"),
  timestamp: z.number().nonnegative(),
  function: FunctionSchema,
  log_level: z.string(),
  message: z.string(),
  is_truncated: nullish(z.boolean()),
  system_code: nullish(z.string().max(128)),
  convex: ConvexBlockSchema,
});

export const ExecutionSchema = z.object({
  topic: z.literal("function_execution"),
  timestamp: z.number().nonnegative(),
  function: FunctionSchema,
  execution_time_ms: nullish(z.number()),
  status: z.enum(["success", "failure"]),
  error_message: nullish(z.string()),
  occ_info: nullish(z.record(z.string(), z.unknown())),
  scheduler_info: nullish(z.record(z.string(), z.unknown())),
  will_retry: nullish(z.boolean()),
  usage: nullish(z.record(z.string(), z.unknown())),
  convex: ConvexBlockSchema,
});

export const LegacyConsoleSchema = z.object({
  _topic: z.literal("_console"),
  _timestamp: z.number().nonnegative(),
  _functionPath: z.string().max(512),
  _functionType: nullish(z.string().max(32)),
  _functionCached: nullish(z.boolean()),
  message: z.string(),
});

export const LegacyExecutionSchema = z.object({
  _topic: z.literal("_execution_record"),
  _timestamp: z.number().nonnegative(),
  _functionPath: z.string().max(512),
  _functionType: nullish(z.string().max(32)),
  _functionCached: nullish(z.boolean()),
  status: z.enum(["success", "failure"]),
  reason: nullish(z.string()),
  executionTimeMs: nullish(z.number()),
});

/** Convex log levels to ours. */
export const LEVELS: Record<string, Level> = { DEBUG: "debug", INFO: "info", LOG: "log", WARN: "warn", ERROR: "error" };
