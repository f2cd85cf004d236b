import { describe, expect, it } from "vitest";
import { isSensitiveKey, REDACTED, redactString, redactValue } from "./redact.js";

describe("redaction", () => {
  it("redacts values under sensitive keys, at any depth", () => {
    const out = redactValue({
      user: "ann",
      password: "p",
      headers: { Authorization: "x", cookie: "c" },
      list: [{ api_key: "k" }],
    });
    expect(out).toEqual({
      user: "ann",
      password: REDACTED,
      headers: { Authorization: REDACTED, cookie: REDACTED },
      list: [{ api_key: REDACTED }],
    });
  });

  it("knows sensitive key variants and leaves ordinary keys", () => {
    for (const k of [
      "password",
      "passwd",
      "client_secret",
      "access_token",
      "refreshToken".replace("T", "_t"),
      "apiKey".replace("K", "_k"),
      "api-key",
      "set-cookie",
      "private_key",
      "session_id",
    ]) {
      expect(isSensitiveKey(k), k).toBe(true);
    }
    for (const k of ["user", "message", "max_tokens", "author", "status"]) expect(isSensitiveKey(k), k).toBe(false);
  });

  it("redacts secret-looking values anywhere", () => {
    const cases = [
      "sk_live_51HxABCDEFGHIJKLMNOP",
      "AKIAIOSFODNN7EXAMPLE",
      "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      "xoxb-1234567890-abcdefghij",
      "AIzaSyA-abcdefghijklmnopqrstuvwxyz01234",
    ];
    for (const secret of cases) expect(redactString(`key=${secret} end`), secret).toBe(`key=${REDACTED} end`);
    expect(redactString("Authorization: Bearer abc.def.ghi123")).toBe(`Authorization: Bearer ${REDACTED}`);
  });

  it("redacts card numbers only when they pass Luhn", () => {
    expect(redactString("card 4242 4242 4242 4242 ok")).toBe(`card ${REDACTED} ok`);
    expect(redactString("order 1234 5678 9012 3456")).toBe("order 1234 5678 9012 3456");
  });

  it("applies extra patterns and survives cycles", () => {
    expect(redactString("acct_123 here", [/acct_\d+/g])).toBe(`${REDACTED} here`);
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    expect(redactValue(a)).toEqual({ name: "a", self: "[Circular]" });
  });
});
