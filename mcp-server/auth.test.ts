import { describe, expect, it } from "vitest";
import { AuthError, ConfigError } from "../core/errors.js";
import { requireToken } from "./auth.js";

describe("requireToken", () => {
  it("refuses everything when no token is configured", async () => {
    await expect(requireToken("Bearer anything", [])).rejects.toThrow(ConfigError);
    await expect(requireToken(undefined, [])).rejects.toThrow(/MCP_AUTH_TOKEN is not set/);
  });

  it("asks for a token (401) when missing or wrong, accepts any configured one", async () => {
    await expect(requireToken(undefined, ["a"])).rejects.toMatchObject({ status: 401, name: "AuthError" });
    await expect(requireToken("Bearer b", ["a"])).rejects.toBeInstanceOf(AuthError);
    await expect(requireToken("Basic a", ["a"])).rejects.toBeInstanceOf(AuthError);
    await expect(requireToken("Bearer a", ["x", "a"])).resolves.toBeUndefined();
    await expect(requireToken("bearer   a ", ["a"])).resolves.toBeUndefined();
  });
});
