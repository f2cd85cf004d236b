// Cloudflare Tail Worker events (the TraceItems a producer Worker's invocations leave) to our incoming entries:
// console calls, uncaught exceptions and the outcome, under the trace the invocation's request carried.
import { z } from "zod";
import { parseTraceparent } from "./normalize.js";
import { TraceIdSchema, type IncomingEntry, type Level } from "./schema.js";

/** Request header read for the trace id when there is no `traceparent`. */
export const TAIL_TRACE_ID_HEADER = "x-trace-id";
/** Outcomes that mean the invocation failed; anything else but "ok" is stored as a warning. */
const FAILED_OUTCOMES = new Set(["exception", "exceededCpu", "exceededMemory", "canceled"]);
const SCRIPT_NAME_CHARS = 60;
const CONSOLE_LEVELS: Record<string, Level> = {
  debug: "debug",
  info: "info",
  log: "log",
  warn: "warn",
  error: "error",
};

// Only what we read; the runtime adds fields over time, and those are ignored.
const TraceItemSchema = z.object({
  scriptName: z.string().nullish(),
  entrypoint: z.string().nullish(),
  outcome: z.string().nullish(),
  eventTimestamp: z.number().nullish(),
  truncated: z.boolean().nullish(),
  cpuTime: z.number().nullish(),
  wallTime: z.number().nullish(),
  event: z
    .object({
      request: z
        .object({ url: z.string().nullish(), method: z.string().nullish(), headers: z.unknown().nullish() })
        .nullish(),
      response: z.object({ status: z.number().nullish() }).nullish(),
      cron: z.string().nullish(),
      queue: z.string().nullish(),
    })
    .nullish(),
  logs: z
    .array(z.object({ timestamp: z.number().nullish(), level: z.string().nullish(), message: z.unknown() }))
    .nullish(),
  exceptions: z
    .array(
      z.object({
        timestamp: z.number().nullish(),
        name: z.string().nullish(),
        message: z.unknown(),
        stack: z.string().nullish(),
      }),
    )
    .nullish(),
});
type TraceItem = z.infer<typeof TraceItemSchema>;

export interface TailMapping {
  entries: IncomingEntry[];
  /** Trace items that were not TraceItems at all (skipped). */
  skipped: number;
}

/** Maps one tail() call's events. `newId` makes the suffix of derived trace ids (random by default). */
export function mapTailEvents(
  events: readonly unknown[],
  newId: () => string = () => crypto.randomUUID(),
): TailMapping {
  const entries: IncomingEntry[] = [];
  let skipped = 0;
  for (const event of events) {
    const parsed = TraceItemSchema.safeParse(event);
    if (parsed.success) entries.push(...mapItem(parsed.data, newId));
    else skipped++;
  }
  return { entries, skipped };
}

function mapItem(item: TraceItem, newId: () => string): IncomingEntry[] {
  const request = item.event?.request;
  const headers = headerReader(request?.headers);
  const propagated = parseTraceparent(headers("traceparent"));
  const named = TraceIdSchema.safeParse(headers(TAIL_TRACE_ID_HEADER));
  const carried = propagated?.traceId ?? (named.success ? named.data : undefined);
  const script = (item.scriptName ?? "worker").replace(/[^A-Za-z0-9._:-]/g, "_").slice(0, SCRIPT_NAME_CHARS);
  const at = item.eventTimestamp ?? Date.now();
  // No trace from the caller: the invocation is its own trace, named after the script, the time and CF-Ray.
  const traceId =
    carried ??
    `${script}-${at.toString(36)}-${(headers("cf-ray") ?? newId()).replace(/[^A-Za-z0-9]/g, "").slice(0, 16)}`;
  const base = {
    trace_id: traceId,
    system: "worker" as const,
    ...(item.scriptName ? { source: item.scriptName.slice(0, 128) } : {}),
    ...(propagated && carried === propagated.traceId ? { span_id: propagated.spanId } : {}),
    ...(request?.url ? { url: request.url.slice(0, 4096) } : {}),
  };
  const entries: IncomingEntry[] = [];
  for (const log of item.logs ?? []) {
    entries.push({
      ...base,
      level: CONSOLE_LEVELS[log.level ?? "log"] ?? "log",
      message: consoleText(log.message),
      timestamp: log.timestamp ?? at,
    });
  }
  for (const exception of item.exceptions ?? []) {
    const text = typeof exception.message === "string" ? exception.message : consoleText(exception.message);
    entries.push({
      ...base,
      level: "error",
      message: exception.name ? `${exception.name}: ${text}` : text,
      timestamp: exception.timestamp ?? at,
      ...(exception.stack ? { stack: exception.stack } : {}),
    });
  }
  const outcome = item.outcome ?? "unknown";
  // A failed invocation always says so; a successful one only when it belongs to a caller's trace (its request
  // then shows on that trace's timeline), so untraced healthy traffic adds nothing.
  if (outcome !== "ok" || carried) {
    const failed = FAILED_OUTCOMES.has(outcome);
    const status = item.event?.response?.status;
    const what = request
      ? `${request.method ?? "GET"} ${pathOf(request.url)}${status ? ` -> ${status}` : ""}`
      : item.event?.cron
        ? `cron ${item.event.cron}`
        : item.event?.queue
          ? `queue ${item.event.queue}`
          : "invocation";
    entries.push({
      ...base,
      level: failed ? "error" : outcome === "ok" ? (status && status >= 500 ? "warn" : "info") : "warn",
      message: `${item.scriptName ?? "worker"}: ${what} (outcome ${outcome})`,
      // The outcome is known at the end of the invocation: after everything it logged.
      timestamp: entries.reduce((end, e) => Math.max(end, e.timestamp ?? at), at + (item.wallTime ?? 0)),
      context: {
        outcome,
        ...(status ? { status } : {}),
        ...(item.entrypoint ? { entrypoint: item.entrypoint } : {}),
        ...(item.cpuTime != null ? { cpu_time_ms: item.cpuTime } : {}),
        ...(item.wallTime != null ? { wall_time_ms: item.wallTime } : {}),
        ...(item.truncated ? { truncated: true } : {}),
      },
    });
  }
  return entries;
}

/** console arguments as one line: strings as they are, anything else as compact JSON, space separated. */
function consoleText(message: unknown): string {
  const parts = Array.isArray(message) ? message : [message];
  return parts.map((part) => (typeof part === "string" ? part : (safeJson(part) ?? String(part)))).join(" ");
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function pathOf(url: string | null | undefined): string {
  if (!url) return "/";
  try {
    return new URL(url).pathname;
  } catch {
    return url.slice(0, 200);
  }
}

/** Header lookup over what tail events carry: a plain record (any case) or a Headers object. */
function headerReader(headers: unknown): (name: string) => string | undefined {
  if (headers instanceof Headers) return (name) => headers.get(name) ?? undefined;
  if (typeof headers !== "object" || headers === null) return () => undefined;
  const lower = new Map(
    Object.entries(headers).map(([k, v]) => [k.toLowerCase(), typeof v === "string" ? v : undefined]),
  );
  return (name) => lower.get(name);
}
