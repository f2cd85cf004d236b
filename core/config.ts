// Runtime configuration, read from the Worker's env (vars and secrets) with documented defaults.
import { z } from "zod";
import {
  DEFAULT_LOG_TTL_SECONDS,
  DEFAULT_MAX_ENTRIES_PER_TRACE,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PIN_MAX_SECONDS,
  DEFAULT_RATE_LIMIT_GLOBAL_PER_HOUR,
  DEFAULT_RATE_LIMIT_PER_TRACE_PER_HOUR,
  DEFAULT_SYSTEM_SHARES,
} from "./limits.js";
import { ConfigError } from "./errors.js";
import { parseJsonOrUndefined } from "./json.js";

export interface Config {
  /** Upstash REST endpoint and token; absent means the store is not configured. */
  redisUrl?: string;
  redisToken?: string;
  /** Prepended to every Redis key (test isolation, several apps in one database). Default "". */
  keyPrefix: string;
  /** Trace retention, seconds, refreshed on write. Default 3600. */
  logTtlSeconds: number;
  /** Upper bound for pin_trace, seconds. Default 7 days. */
  pinMaxSeconds: number;
  /** Entries per rolling hour across all traces. Default 1000. */
  rateLimitGlobalPerHour: number;
  /** Entries per rolling hour for one trace. Default 100. */
  rateLimitPerTracePerHour: number;
  /** Share of the global quota per system, percent. Default browser 40, convex 30, worker 30. */
  systemShares: Record<string, number>;
  /** Most entries one trace holds (MAX_ENTRIES_PER_TRACE); later ones are dropped as trace_full. Default 50,000. */
  maxEntriesPerTrace: number;
  /** Largest accepted request body, bytes. Default 1 MiB. */
  maxBodyBytes: number;
  /** Browser origins allowed to post logs (exact or `*.example.com`). */
  allowedOrigins: string[];
  /** Bearer tokens that servers use to post logs. */
  ingestTokens: string[];
  /** Bearer tokens for /mcp and /api. */
  mcpTokens: string[];
  /** Extra redaction patterns (regular expressions). */
  redactPatterns: RegExp[];
  /** True under `npm run dev`: localhost origins are admitted. */
  development: boolean;
  /** The Convex webhook log stream's secret (its UTF-8 text); POST /convex/log-stream refuses everything without it. */
  convexLogStreamSecret?: string;
}

export interface ConfigEnv {
  [key: string]: unknown;
}

const list = (value: unknown): string[] =>
  typeof value === "string"
    ? value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

function positiveInt(env: ConfigEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${name} must be a positive integer, got '${String(raw)}'`);
  return n;
}

function parseShares(raw: unknown): Record<string, number> {
  if (raw === undefined || raw === "") return { ...DEFAULT_SYSTEM_SHARES };
  const shares: Record<string, number> = {};
  for (const part of list(raw)) {
    const [system, value] = part.split("=").map((s) => s.trim());
    const n = Number(value);
    if (!system || !Number.isFinite(n) || n < 0 || n > 100) {
      throw new ConfigError(
        `RATE_LIMIT_SYSTEM_SHARES must look like 'browser=40,convex=30,worker=30', got '${String(raw)}'`,
      );
    }
    shares[system] = n;
  }
  return shares;
}

function parsePatterns(raw: unknown): RegExp[] {
  if (raw === undefined || raw === "") return [];
  const parsed = z.array(z.string()).safeParse(typeof raw === "string" ? parseJsonOrUndefined(raw) : raw);
  if (!parsed.success)
    throw new ConfigError('REDACT_PATTERNS must be a JSON array of regular expressions, e.g. ["acct_[0-9]+"]');
  return parsed.data.map((p) => {
    try {
      return new RegExp(p, "g");
    } catch {
      throw new ConfigError(`REDACT_PATTERNS has an invalid regular expression: ${p}`);
    }
  });
}

export function loadConfig(env: ConfigEnv): Config {
  const str = (name: string) => (typeof env[name] === "string" && env[name] !== "" ? (env[name] as string) : undefined);
  return {
    redisUrl: str("UPSTASH_REDIS_REST_URL"),
    redisToken: str("UPSTASH_REDIS_REST_TOKEN"),
    keyPrefix: str("KEY_PREFIX") ?? "",
    logTtlSeconds: positiveInt(env, "LOG_TTL_SECONDS", DEFAULT_LOG_TTL_SECONDS),
    pinMaxSeconds: positiveInt(env, "PIN_MAX_SECONDS", DEFAULT_PIN_MAX_SECONDS),
    rateLimitGlobalPerHour: positiveInt(env, "RATE_LIMIT_GLOBAL_PER_HOUR", DEFAULT_RATE_LIMIT_GLOBAL_PER_HOUR),
    rateLimitPerTracePerHour: positiveInt(env, "RATE_LIMIT_PER_TRACE_PER_HOUR", DEFAULT_RATE_LIMIT_PER_TRACE_PER_HOUR),
    systemShares: parseShares(env.RATE_LIMIT_SYSTEM_SHARES),
    maxEntriesPerTrace: positiveInt(env, "MAX_ENTRIES_PER_TRACE", DEFAULT_MAX_ENTRIES_PER_TRACE),
    maxBodyBytes: positiveInt(env, "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
    allowedOrigins: list(env.ALLOWED_ORIGINS),
    ingestTokens: list(env.INGEST_TOKEN),
    mcpTokens: list(env.MCP_AUTH_TOKEN),
    redactPatterns: parsePatterns(env.REDACT_PATTERNS),
    development: str("ENVIRONMENT") === "development",
    convexLogStreamSecret: str("CONVEX_LOG_STREAM_SECRET"),
  };
}
