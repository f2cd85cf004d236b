// Calls to the JSON API with the session's token, and one classification of what can go wrong, so every
// panel shows the same clear message for a wrong token, an unknown trace or a store outage. Errors are told apart
// by the server's machine-readable `code` (core/errors.ts), never by its sentences.
import type { ErrorCode } from "../core/errors.js";

export type Problem = "auth" | "not_found" | "input" | "unavailable" | "network" | "server";

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    message: string,
    readonly problem: Problem,
    readonly status: number,
    /** The server's error code, when it sent one. */
    readonly code?: ErrorCode,
  ) {
    super(message);
  }
}

const TOKEN_KEY = "debug-logs:token";

/** The token lives in sessionStorage: this tab, this browser session, nowhere else. */
export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** GET /api/<path> as JSON. Throws ApiError. */
export async function getJson<T>(path: string, tokenValue = token.get()): Promise<T> {
  const res = await request(path, tokenValue);
  return (await res.json()) as T;
}

/** GET /api/<path> as a Blob (the trace export). Throws ApiError. */
export async function getBlob(path: string): Promise<Blob> {
  return (await request(path, token.get())).blob();
}

async function request(path: string, tokenValue: string | null): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`/api/${path}`, {
      headers: { Authorization: `Bearer ${tokenValue ?? ""}`, Accept: "application/json" },
      cache: "no-store",
    });
  } catch {
    throw new ApiError("Could not reach the debug-logs Worker. Check your connection and retry.", "network", 0);
  }
  if (res.ok) return res;
  const body = (await res.json().catch(() => ({}))) as { error?: string; code?: ErrorCode };
  const message = body.error ?? `${res.status} ${res.statusText}`;
  throw new ApiError(message, problemOf(body.code, res.status), res.status, body.code);
}

const PROBLEMS: Partial<Record<ErrorCode, Problem>> = {
  unauthorized: "auth",
  forbidden: "auth",
  not_found: "not_found",
  invalid_input: "input",
  store_unavailable: "unavailable",
};

/** By the server's code; by status for answers without one (a proxy or the platform answered). */
function problemOf(code: ErrorCode | undefined, status: number): Problem {
  if (code) return PROBLEMS[code] ?? "server";
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 400) return "input";
  if (status === 503 || status === 502 || status === 504) return "unavailable";
  return "server";
}

/** A sentence for a person, from any error a call can throw. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return `Something went wrong: ${String(error)}`;
  if (error.problem === "unavailable") {
    return `The log store is not reachable right now; retry in a few seconds. (${error.message})`;
  }
  if (error.problem === "server") return `The server failed (${error.status}): ${error.message}`;
  return error.message;
}
