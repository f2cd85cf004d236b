import { describe, expect, it } from "vitest";
import { PLAIN_LINES, SECRET_CONTEXTS, SECRET_LINES } from "./redact-corpus.js";
import { REDACTED } from "./redact.js";
import { isSecretName, redactText, redactTree } from "./redact-server.js";

describe("server redaction on real log lines", () => {
  it.each(SECRET_LINES)("removes the secret: $name", ({ text, secrets }) => {
    const out = redactText(text);
    for (const secret of secrets) expect(out, out).not.toContain(secret);
    expect(out).toContain(REDACTED);
    expect(redactText(out)).toBe(out);
  });

  it.each(SECRET_CONTEXTS)("removes the secret from structure: $name", ({ context, secrets }) => {
    const json = JSON.stringify(redactTree(context));
    for (const secret of secrets) expect(json, json).not.toContain(secret);
  });

  it.each(PLAIN_LINES)("keeps a line without secrets word for word: %s", (line) => {
    expect(redactText(line)).toBe(line);
  });

  it("keeps the words around a redacted value", () => {
    expect(redactText("login failed for ann: password=hunter2 (attempt 3)")).toBe(
      `login failed for ann: password=${REDACTED} (attempt 3)`,
    );
    expect(redactText("Authorization: Bearer abc.def.ghi123 sent")).toBe(`Authorization: Bearer ${REDACTED} sent`);
    expect(redactText('{"password":"a b c","user":"ann"}')).toBe(`{"password":"${REDACTED}","user":"ann"}`);
  });

  it("knows secret names in every spelling and leaves ordinary ones", () => {
    for (const name of ["smtp_pass", "smtpPass", "db_pwd", "client_secret", "access_key", "AccessKey", "passwort"])
      expect(isSecretName(name), name).toBe(true);
    for (const name of ["contraseña", "X-Amz-Signature", "sid", "otp", "pin", "refresh_token"])
      expect(isSecretName(name), name).toBe(true);
    for (const name of ["passenger", "author", "token_count", "max_tokens", "code", "key", "bypass_cache", "spin"])
      expect(isSecretName(name), name).toBe(false);
  });

  it("keeps objects free of secrets as they are, and a key named __proto__ as a plain key", () => {
    const context = JSON.parse('{"order":42,"items":[{"name":"Accept","value":"*/*"}],"__proto__":{"x":1}}');
    const out = redactTree(context) as Record<string, unknown>;
    expect(JSON.stringify(out)).toBe(JSON.stringify(context));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it("stays linear on hostile text (each shape read a bounded number of times)", () => {
    for (const unit of ["password=", "token: ", "eyJ-", "/", "?key=", "%22%3A", "pass", '"secret":"', "a.b-"]) {
      const text = unit.repeat(Math.ceil(64_000 / unit.length));
      const out = redactText(text);
      expect(redactText(out), unit).toBe(out);
    }
  });
});
