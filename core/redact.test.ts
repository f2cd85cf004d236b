import { describe, expect, it } from "vitest";
import { REDACTED, isCardNumber, isSensitiveKey, redactString, redactValue } from "./redact.js";

describe("isSensitiveKey", () => {
  it.each([
    "password",
    "Password",
    "passwd",
    "db_password",
    "secret",
    "client_secret",
    "token",
    "access_token",
    "refreshToken",
    "csrf-token",
    "authorization",
    "Authorization",
    "auth",
    "cookie",
    "Set-Cookie",
    "api_key",
    "apiKey",
    "api-key",
    "X-API-Key",
    "private_key",
    "privateKey",
    "session",
    "sessionId",
    "session_id",
    "credentials",
    "passphrase",
  ])("%s is sensitive", (key) => expect(isSensitiveKey(key)).toBe(true));

  it.each([
    "user",
    "author",
    "max_tokens",
    "token_count",
    "message",
    "passenger",
    "id",
    "url",
    "keyboard",
    "sessions_total",
  ])("%s is not sensitive", (key) => expect(isSensitiveKey(key)).toBe(false));
});

describe("redactString", () => {
  const cases: [string, string, string][] = [
    ["bearer header", "Authorization: Bearer abc.def.ghi123", `Authorization: Bearer ${REDACTED}`],
    ["bare bearer", "sending Bearer abcdef123456 now", `sending Bearer ${REDACTED} now`],
    ["lower-case bearer", "header bearer abcdef123456", `header bearer ${REDACTED}`],
    [
      "query parameter",
      "GET /cb?code=1&access_token=xyz123&state=ok",
      `GET /cb?code=1&access_token=${REDACTED}&state=ok`,
    ],
    ["key=value", "login with password=hunter2 failed", `login with password=${REDACTED} failed`],
    ["key: value", "db password: hunter2", `db password: ${REDACTED}`],
    [
      "JSON",
      '{"user":"ann","password":"hunter2","token":"t0k"}',
      `{"user":"ann","password":"${REDACTED}","token":"${REDACTED}"}`,
    ],
    ["escaped JSON", '{\\"secret\\":\\"s3cr3t\\"}', `{\\"secret\\":\\"${REDACTED}\\"}`],
    ["prefixed name", "DB_PASSWORD=abc", `DB_PASSWORD=${REDACTED}`],
    [
      "JWT",
      "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U here",
      `token ${REDACTED} here`,
    ],
    ["Stripe live", "key sk_live_4eC39HqLyjWDarjtT1zdp7dc", `key ${REDACTED}`],
    ["Stripe test", "sk_test_BQokikJOvBiI2HlWgH4olfQ2", REDACTED],
    ["OpenAI", "sk-proj-abcdefghijklmnopqrstuvwx", REDACTED],
    ["AWS", "AKIAIOSFODNN7EXAMPLE", REDACTED],
    ["GitHub", "ghp_1234567890abcdefghijklmnopqrstuvwxyz", REDACTED],
    ["Slack", "xoxb-123456789012-abcdefghij", REDACTED],
    ["Google", "AIzaSyA-1234567890abcdefghijklmnopqrstu", REDACTED],
    [
      "URL credentials",
      "postgres://admin:hunter2@db.example.com/app",
      `postgres://admin:${REDACTED}@db.example.com/app`,
    ],
    ["card with spaces", "card 4111 1111 1111 1111 declined", `card ${REDACTED} declined`],
    ["card with dashes", "5500-0000-0000-0004", REDACTED],
    ["amex", "378282246310005", REDACTED],
    ["PEM", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- done", `${REDACTED} done`],
  ];
  it.each(cases)("%s", (_name, input, expected) => expect(redactString(input)).toBe(expected));

  it("leaves ordinary text alone", () => {
    const text =
      "A basic example. Loaded 42 items in 1700000000000ms for user 123 (order 4111111111111112, ts 1712345678901); Unexpected token '<' in JSON; author: Ann";
    expect(redactString(text)).toBe(text);
  });

  it("is idempotent, so the server can redact again", () => {
    const once = redactString(
      'password=hunter2 Bearer abcdef123456 4111111111111111 {"authorization":"Bearer abc123456"} token=Token abc',
    );
    expect(redactString(once)).toBe(once);
  });

  it("is idempotent on random mixes of secret-like fragments", () => {
    const parts = [
      "password",
      "token",
      "auth",
      "secret",
      "x-api-key",
      "=",
      ":",
      " ",
      '"',
      "'",
      "\\",
      "&",
      ",",
      "{",
      "}",
    ];
    parts.push("Bearer", "Basic", "Token", "abc123", "4111111111111111", "4111 1111 1111 1111", "[REDACTED]", "1234");
    parts.push(
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3",
      "sk_live_abcdefghijkl",
      "//user:pw@host",
    );
    parts.push("AKIAIOSFODNN7EXAMPLE", "-----BEGIN RSA PRIVATE KEY-----");
    let seed = 1;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const unstable: string[] = [];
    for (let i = 0; i < 5000; i++) {
      let s = "";
      for (let j = 1 + Math.floor(random() * 8); j > 0; j--) s += parts[Math.floor(random() * parts.length)];
      const once = redactString(s);
      if (redactString(once) !== once) unstable.push(s);
    }
    expect(unstable).toEqual([]);
  });

  it("applies extra patterns: RegExp (global or not) and literal strings", () => {
    expect(redactString("acct_123 and acct_456", [/acct_\d+/])).toBe(`${REDACTED} and ${REDACTED}`);
    expect(redactString("acct_123 and acct_456", [/acct_\d+/g])).toBe(`${REDACTED} and ${REDACTED}`);
    expect(redactString("my pin is 9876, 9876", ["9876"])).toBe(`my pin is ${REDACTED}, ${REDACTED}`);
  });

  it("stays fast on long hostile input", () => {
    const hostile = "a-".repeat(20_000) + "=".repeat(1000) + "1".repeat(5000);
    const start = performance.now();
    redactString(hostile);
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe("isCardNumber", () => {
  it("accepts Luhn-valid card numbers and rejects the rest", () => {
    expect(isCardNumber("4111111111111111")).toBe(true);
    expect(isCardNumber("4111111111111112")).toBe(false);
    // Millisecond timestamps start with 1: never cards, even when the checksum happens to pass.
    expect(isCardNumber("1700000000007")).toBe(false);
  });
});

describe("redactValue", () => {
  it("redacts under sensitive keys at any depth and secret-looking strings anywhere", () => {
    const input = {
      user: "ann",
      password: "hunter2",
      nested: {
        headers: { Authorization: "Bearer x", "x-request-id": "r1" },
        list: [{ api_key: 42 }, "sk_live_abcdefghijkl"],
      },
      note: "paid with 4111-1111-1111-1111",
      card: 4111111111111111,
      empty_token: "",
    };
    expect(redactValue(input)).toEqual({
      user: "ann",
      password: REDACTED,
      nested: { headers: { Authorization: REDACTED, "x-request-id": "r1" }, list: [{ api_key: REDACTED }, REDACTED] },
      note: `paid with ${REDACTED}`,
      card: REDACTED,
      empty_token: "",
    });
    expect(input.password).toBe("hunter2"); // the input is not modified
  });

  it("redacts whole objects under a sensitive key", () => {
    expect(redactValue({ auth: { user: "a", pass: "b" } })).toEqual({ auth: REDACTED });
  });

  it("survives cycles and keeps shared references", () => {
    const shared = { v: 1 };
    const a: Record<string, unknown> = { shared, again: shared };
    a.self = a;
    expect(redactValue(a)).toEqual({ shared: { v: 1 }, again: { v: 1 }, self: "[Circular]" });
  });

  it("passes extra patterns down", () => {
    expect(redactValue({ m: "acct_99" }, [/acct_\d+/])).toEqual({ m: REDACTED });
  });
});
