// The few error classes every surface maps to a status (HTTP, see http-errors.ts) or an isError result (MCP). Each
// carries a machine-readable `code`, so clients (the debug page among them) never match sentences.

/** Every `code` an error answer can carry. */
export const ERROR_CODES = [
  "invalid_input",
  "body_too_large",
  "unsupported_media_type",
  "unauthorized",
  "forbidden",
  "not_found",
  "rate_limited",
  "store_unavailable",
  "misconfigured",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const INPUT_CODES = { 400: "invalid_input", 413: "body_too_large", 415: "unsupported_media_type" } as const;

/** Something the caller sent is wrong; the message says what. HTTP 400 unless `status` says otherwise. */
export class InputError extends Error {
  override name = "InputError";
  readonly code: ErrorCode;
  constructor(
    message: string,
    readonly details: unknown[] = [],
    readonly status: 400 | 413 | 415 = 400,
  ) {
    super(message);
    this.code = INPUT_CODES[status];
  }
}

/** The caller is not allowed in. 401 asks for credentials, 403 refuses the ones given. */
export class AuthError extends Error {
  override name = "AuthError";
  readonly code: ErrorCode;
  constructor(
    message: string,
    readonly status: 401 | 403,
  ) {
    super(message);
    this.code = status === 401 ? "unauthorized" : "forbidden";
  }
}

/** A trace (or other named thing) does not exist or has expired. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
  readonly code: ErrorCode = "not_found";
}

/** Everything in the request was refused by a rate limit. */
export class RateLimitError extends Error {
  override name = "RateLimitError";
  readonly code: ErrorCode = "rate_limited";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/**
 * Redis did not answer or answered with an error. For a write the outcome is unknown (a write can still land after
 * its timeout); `details` may say, per trace, which writes were stored.
 */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
  readonly code: ErrorCode = "store_unavailable";
  readonly details: unknown[];
  constructor(message: string, options?: { cause?: unknown; details?: unknown[] }) {
    super(message, options);
    this.details = options?.details ?? [];
  }
}

/** The deployment is missing a setting it needs. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly code: ErrorCode = "misconfigured";
}
