// The one mapping from errors to HTTP answers, for every route of the Worker (ingestion, the JSON API, MCP's
// transport errors): status, headers and a JSON body `{ error, code, details? }` with a code from ERROR_CODES.
import {
  AuthError,
  ConfigError,
  InputError,
  NotFoundError,
  RateLimitError,
  StoreUnavailableError,
  type ErrorCode,
} from "./errors.js";
import { STORE_RETRY_AFTER_SECONDS } from "./limits.js";

export interface ErrorBody {
  error: string;
  code: ErrorCode;
  details?: unknown[];
  retry_after_seconds?: number;
  /** On a failed write: whether anything was stored is not known (a write can land after its timeout). */
  outcome?: "unknown";
}

export interface HttpError {
  status: 400 | 401 | 403 | 404 | 413 | 415 | 429 | 500 | 503;
  headers: Record<string, string>;
  body: ErrorBody;
  /** True for failures nobody expected (bugs): log them. */
  unexpected: boolean;
}

/** What a write answers when the store failed: the truth about the outcome, and what to do. */
export const WRITE_OUTCOME_UNKNOWN =
  "the outcome is unknown: some or all entries may have been stored. Retrying the same batch is safe: entries are stored once per id (entries without one get an id from batch_id, or from the batch's content and position)";

/** The HTTP answer for any error; `write` says whether the request tried to store something. */
export function httpError(error: unknown, write: boolean): HttpError {
  const answer = (status: HttpError["status"], body: ErrorBody, headers: Record<string, string> = {}): HttpError => ({
    status,
    headers,
    body,
    unexpected: false,
  });
  if (error instanceof InputError) {
    return answer(error.status, { error: error.message, code: error.code, details: error.details });
  }
  if (error instanceof AuthError) {
    const headers: Record<string, string> =
      error.status === 401 ? { "WWW-Authenticate": 'Bearer realm="debug-logs"' } : {};
    return answer(error.status, { error: error.message, code: error.code }, headers);
  }
  if (error instanceof NotFoundError) return answer(404, { error: error.message, code: error.code });
  if (error instanceof RateLimitError) {
    return answer(
      429,
      { error: error.message, code: error.code, retry_after_seconds: error.retryAfterSeconds },
      { "Retry-After": String(error.retryAfterSeconds) },
    );
  }
  if (error instanceof StoreUnavailableError) {
    const headers = { "Retry-After": String(STORE_RETRY_AFTER_SECONDS) };
    if (!write) return answer(503, { error: `${error.message}; retry later`, code: error.code }, headers);
    return answer(
      503,
      {
        error: `${error.message}; ${WRITE_OUTCOME_UNKNOWN}`,
        code: error.code,
        outcome: "unknown",
        ...(error.details.length ? { details: error.details } : {}),
      },
      headers,
    );
  }
  if (error instanceof ConfigError) {
    return { ...answer(503, { error: `Server misconfigured: ${error.message}`, code: error.code }), unexpected: true };
  }
  return { status: 500, headers: {}, body: { error: "Internal error", code: "internal" }, unexpected: true };
}
