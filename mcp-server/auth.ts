// Bearer-token check for /mcp and the JSON API: no token configured means no access, never open access.
import { bearerToken, tokenMatches } from "../core/auth.js";
import { AuthError, ConfigError } from "../core/errors.js";

/** Shared with the JSON API: same tokens, same answers. */
export async function requireToken(header: string | undefined, tokens: string[]): Promise<void> {
  if (tokens.length === 0) {
    throw new ConfigError(
      "MCP_AUTH_TOKEN is not set, so /mcp and /api refuse every request (wrangler secret put MCP_AUTH_TOKEN)",
    );
  }
  const token = bearerToken(header);
  if (!token) throw new AuthError("Missing Authorization: Bearer <MCP_AUTH_TOKEN>", 401);
  if (!(await tokenMatches(token, tokens))) throw new AuthError("The bearer token is not valid", 401);
}
