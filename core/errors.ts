// The few error classes every surface maps to a status (HTTP) or an isError result (MCP).

/** Something the caller sent is wrong; the message says what. HTTP 400 unless `status` says otherwise. */
export class InputError extends Error {
  override name = "InputError";
  constructor(
    message: string,
    readonly details: unknown[] = [],
    readonly status: 400 | 413 | 415 = 400,
  ) {
    super(message);
  }
}

/** The caller is not allowed in. 401 asks for credentials, 403 refuses the ones given. */
export class AuthError extends Error {
  override name = "AuthError";
  constructor(
    message: string,
    readonly status: 401 | 403,
  ) {
    super(message);
  }
}

/** A trace (or other named thing) does not exist or has expired. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** Everything in the request was refused by a rate limit. */
export class RateLimitError extends Error {
  override name = "RateLimitError";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** Redis did not answer or answered with an error: retry later, nothing was acknowledged. */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The deployment is missing a setting it needs. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
