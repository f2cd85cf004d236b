// Log lines in the shapes real apps write them, for the redaction tests and the ingest fuzz suite: secrets that must
// never be stored (each listed with the exact secret strings), and lines that hold none and must be kept word for
// word (over-redaction destroys the diagnosis).

const JWT =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyXzQyIiwiaWF0IjoxNzAwMDAwMDAwfQ.Q2hhbmdlTWVQbGVhc2VTaWduYXR1cmU";

export interface SecretCase {
  /** What the case stands for. */
  name: string;
  /** The line as an app logs it (a message, a stack, a URL...). */
  text: string;
  /** Substrings that must not survive redaction. */
  secrets: string[];
}

export const SECRET_LINES: SecretCase[] = [
  { name: "smtp_pass", text: "mailer config smtp_pass=Tr0ub4dor&3 host=smtp.example.com", secrets: ["Tr0ub4dor"] },
  { name: "db_pwd", text: "connecting with db_pwd: s3cretpw!", secrets: ["s3cretpw"] },
  {
    name: "client_secret",
    text: '{"client_id":"abc","client_secret":"cs_9f8e7d6c5b4a"}',
    secrets: ["cs_9f8e7d6c5b4a"],
  },
  {
    name: "access_key",
    text: "aws access_key=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
    secrets: ["wJalrXUtnFEMIK7MDENG"],
  },
  { name: "passwort", text: "Anmeldung fehlgeschlagen, passwort=geheim123", secrets: ["geheim123"] },
  { name: "contraseña", text: "usuario ana contraseña: tortilla99", secrets: ["tortilla99"] },
  {
    name: "multi-word password",
    text: "password: correct horse battery staple",
    secrets: ["correct", "horse", "battery", "staple"],
  },
  { name: "letters-only password after a colon", text: "login password: hunter", secrets: ["hunter"] },
  { name: "bracketed value", text: "retrying with token=[a8f3 99x1] now", secrets: ["a8f3", "99x1"] },
  { name: "quoted value with spaces", text: "secret='open sesame 42' loaded", secrets: ["open sesame"] },
  {
    name: "X-Amz-Signature",
    text: "GET https://bucket.s3.amazonaws.com/f.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 403",
    secrets: ["9f86d081884c7d659a2feaa0c55ad015"],
  },
  {
    name: "sig parameter",
    text: "fetch https://x.blob.core.windows.net/c/b?sv=2022&sig=Zm9vYmFyYmF6cXV4",
    secrets: ["Zm9vYmFyYmF6cXV4"],
  },
  {
    name: "key parameter",
    text: "maps: https://maps.example.com/api?key=k3y_0123456789abcdef&q=x",
    secrets: ["k3y_0123456789abcdef"],
  },
  { name: "OAuth code", text: "callback /auth/callback?code=4/0AfJohXm9kq2&state=xyz", secrets: ["4/0AfJohXm9kq2"] },
  {
    name: "URL-encoded JSON",
    text: "redirect to /next?data=%7B%22password%22%3A%22pa55word%21%22%7D",
    secrets: ["pa55word"],
  },
  { name: "JWT in a message", text: `session restored with ${JWT}`, secrets: [JWT.slice(40, 80)] },
  {
    name: "Authorization Token scheme",
    text: "Authorization: Token 7c4a8d09ca3762af61e5",
    secrets: ["7c4a8d09ca3762af61e5"],
  },
  { name: "cookie header", text: "Cookie: sid=8d7f6e5d4c; theme=dark", secrets: ["8d7f6e5d4c"] },
  { name: "URL credentials", text: "redis://default:p4ssw0rdRedis@cache.internal:6379", secrets: ["p4ssw0rdRedis"] },
  { name: "Stripe key", text: "stripe init sk_live_51HxABCDEFGHIJKLMNOPqrstu", secrets: ["sk_live_51HxABCDEFGHIJ"] },
];

/** Secrets in structure rather than text: context objects as apps pass them. */
export const SECRET_CONTEXTS: Array<{ name: string; context: Record<string, unknown>; secrets: string[] }> = [
  {
    name: "header array",
    context: {
      headers: [
        ["cookie", "sid=zz81kd02"],
        ["accept", "text/html"],
      ],
    },
    secrets: ["zz81kd02"],
  },
  {
    name: "flat header list",
    context: { rawHeaders: ["Authorization", "Token abcd9876", "Accept", "*/*"] },
    secrets: ["abcd9876"],
  },
  {
    name: "HAR name/value",
    context: {
      request: {
        headers: [
          { name: "Authorization", value: "Token har5ecret77" },
          { name: "Accept", value: "*/*" },
        ],
      },
    },
    secrets: ["har5ecret77"],
  },
  {
    name: "HAR query string",
    context: { queryString: [{ name: "code", value: "oauthc0de123" }] },
    secrets: ["oauthc0de123"],
  },
  {
    name: "camelCase keys",
    context: { smtpPass: "mailpw1", dbPwd: "dbpw2", accessKey: "ak3", clientSecret: "cs4" },
    secrets: ["mailpw1", "dbpw2", "ak3", "cs4"],
  },
  { name: "JWT as a key", context: { [JWT]: true }, secrets: [JWT.slice(40, 80)] },
  { name: "nested secret object", context: { auth: { user: "ann", pass: "nestedpw" } }, secrets: ["nestedpw"] },
];

/** Fields of an entry that hold secrets in real apps besides message, stack and context. */
export const SECRET_FIELDS: Array<{
  name: string;
  field: "user_id" | "source" | "url";
  value: string;
  secret: string;
}> = [
  { name: "JWT as user_id", field: "user_id", value: JWT, secret: JWT.slice(40, 80) },
  { name: "token in source", field: "source", value: `worker?token=srcT0ken99`, secret: "srcT0ken99" },
  { name: "signed page URL", field: "url", value: "https://app.example.com/reset?token=r3setT0k", secret: "r3setT0k" },
];

/** Lines with no secret that must be stored exactly as written. */
export const PLAIN_LINES: string[] = [
  "Invalid Refresh Token: Refresh Token Not Found",
  "auth:sendPhoneCode",
  "[CONVEX A(auth:sendPhoneCode)] Uncaught Error: rate limited",
  "[CONVEX M(auth:signIn)] [Request ID: 8f3a1b2c] Server Error",
  "token_count=512 max_tokens=4096",
  "Session: expired, please sign in again",
  "passenger: Ann Lee, seat 14C",
  "TypeError: Cannot read properties of undefined (reading 'token')",
  "GET /api/checkout?order=42&page=2 200",
  "status code: 500 after 3 attempts",
  "The author: Ann",
  "cache key: user:42:profile",
  "Unexpected token '<' in JSON at position 0",
];
