import { describe, expect, it } from "vitest";
import { logStreamBody, signBody, verificationEvent } from "../core/convex/fixtures.js";
import { convexLogStreamApp, signatureValid } from "./convex-log-stream.js";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("POST /convex/log-stream", () => {
  it("refuses everything while no CONVEX_LOG_STREAM_SECRET is set, signed or not", async () => {
    const body = logStreamBody([verificationEvent()], "json");
    const res = await convexLogStreamApp.request(
      "/convex/log-stream",
      { method: "POST", body, headers: { "x-webhook-signature": await signBody("any secret", body) } },
      { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", UPSTASH_REDIS_REST_TOKEN: "t" },
    );
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/CONVEX_LOG_STREAM_SECRET/);
  });
});

describe("signatureValid", () => {
  it("accepts Convex's sha256=<hex> of the exact body under the secret's UTF-8 text", async () => {
    const body = '[{"topic":"verification"}]';
    const header = await signBody("s3cret-ü", body);
    expect(await signatureValid("s3cret-ü", header, bytes(body))).toBe(true);
    expect(await signatureValid("s3cret-ü", header.toUpperCase().replace("SHA256=", "sha256="), bytes(body))).toBe(
      true,
    );
    expect(await signatureValid("s3cret-u", header, bytes(body))).toBe(false);
    expect(await signatureValid("s3cret-ü", header, bytes(`${body} `))).toBe(false);
    expect(await signatureValid("s3cret-ü", header.replace("sha256=", ""), bytes(body))).toBe(false);
    expect(await signatureValid("s3cret-ü", "sha256=abc", bytes(body))).toBe(false);
  });
});
