// Log stream events exactly as Convex serialises them (convex-backend crates/common/src/log_streaming.rs, the
// webhook sink's `convex` block), for tests only: every optional field present, as null where unset.

const CONVEX_BLOCK = {
  deployment_name: "tremendous-otter-123",
  deployment_type: "prod",
  project_name: "shop",
  project_slug: "shop",
};

export interface FunctionFields {
  path: string;
  type?: "query" | "mutation" | "action" | "http_action";
  requestId: string;
  cached?: boolean | null;
}

function fn({ path, type = "mutation", requestId, cached = null }: FunctionFields) {
  return {
    path,
    type,
    cached: type === "query" ? (cached ?? false) : null,
    request_id: requestId,
    mutation_queue_length: type === "mutation" ? 0 : null,
    mutation_retry_count: type === "mutation" ? 0 : null,
  };
}

export function verificationEvent(timestamp = Date.now()) {
  return { timestamp, topic: "verification", message: "Convex connection test", convex: CONVEX_BLOCK };
}

export function consoleEvent(f: FunctionFields, level: string, message: string, timestamp = Date.now()) {
  return {
    timestamp,
    topic: "console",
    function: fn(f),
    log_level: level,
    message,
    is_truncated: false,
    system_code: null,
    convex: CONVEX_BLOCK,
  };
}

export function executionEvent(
  f: FunctionFields,
  outcome: { error?: string; executionTimeMs?: number; occ?: Record<string, unknown>; willRetry?: boolean },
  timestamp = Date.now(),
) {
  return {
    timestamp,
    topic: "function_execution",
    function: fn(f),
    execution_time_ms: outcome.executionTimeMs ?? 12,
    status: outcome.error ? "failure" : "success",
    error_message: outcome.error ?? null,
    occ_info: outcome.occ ?? null,
    scheduler_info: null,
    ...(outcome.willRetry === undefined ? {} : { will_retry: outcome.willRetry }),
    usage: {
      database_read_bytes: 1077,
      database_write_bytes: 0,
      database_read_documents: 3,
      file_storage_read_bytes: 0,
      file_storage_write_bytes: 0,
      vector_storage_read_bytes: 0,
      vector_storage_write_bytes: 0,
      action_memory_used_mb: null,
    },
    convex: CONVEX_BLOCK,
  };
}

export function auditLogEvent(timestamp = Date.now()) {
  return {
    timestamp,
    topic: "audit_log",
    audit_log_action: "push_config",
    audit_log_metadata: '{"auth":{"added":[],"removed":[]}}',
    convex: CONVEX_BLOCK,
  };
}

export function schedulerStatsEvent(timestamp = Date.now()) {
  return { topic: "scheduler_stats", timestamp, lag_seconds: 0, num_running_jobs: 1, convex: CONVEX_BLOCK };
}

/** The legacy format (streams configured before 23 May 2024): no request id. */
export function legacyConsoleEvent(path: string, level: string, message: string, timestamp = Date.now()) {
  return {
    _timestamp: timestamp,
    _topic: "_console",
    _functionPath: path,
    _functionType: "mutation",
    _functionCached: null,
    message: `[${level}] ${message}`,
  };
}

export function legacyExecutionEvent(path: string, reason: string | null, timestamp = Date.now()) {
  return {
    _timestamp: timestamp,
    _topic: "_execution_record",
    _functionPath: path,
    _functionType: "mutation",
    _functionCached: null,
    status: reason ? "failure" : "success",
    reason,
    executionTimeMs: 9,
    databaseReadBytes: 0,
    databaseWriteBytes: 0,
    storageReadBytes: 0,
    storageWriteBytes: 0,
  };
}

/** The body as Convex sends it: a JSON array (format "json") or one event per line (format "jsonl"). */
export function logStreamBody(events: unknown[], format: "json" | "jsonl"): string {
  return format === "json" ? JSON.stringify(events) : events.map((e) => JSON.stringify(e)).join("\n");
}

/** `sha256=<hex HMAC-SHA256 of the body>`, as Convex signs it. */
export async function signBody(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
  return `sha256=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
