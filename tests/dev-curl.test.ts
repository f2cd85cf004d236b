// The local workflow's curl line, run with curl itself: accepted in development (form content type read as
// JSON, loopback without Origin needs no token), refused exactly as before in production.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "./helpers/stack.js";

const run = promisify(execFile);
let dev: TestStack;
let production: TestStack;

beforeAll(async () => {
  [dev, production] = await Promise.all([startTestStack(), startTestStack({ ENVIRONMENT: "production" })]);
});
afterAll(async () => {
  await dev?.stop();
  await production?.stop();
});

/** The line as written, against the stack's port instead of 8787; curl's output (the answer's body). */
async function seedCurl(stack: TestStack): Promise<string> {
  const port = new URL(stack.url).port;
  const line = `curl -X POST localhost:${port}/log -d '{"trace_id":"test_123","message":"test"}'`;
  const { stdout } = await run("sh", ["-c", line]);
  return stdout;
}

async function stored(stack: TestStack, traceId: string) {
  const items = (await stack.redis(["LRANGE", `${stack.keyPrefix}logs:${traceId}`, "0", "-1"])) as string[];
  return items.flatMap((item) => JSON.parse(item) as Array<Record<string, unknown>>);
}

describe("curl -X POST localhost:8787/log -d '{...}'", () => {
  it("is stored in development", async () => {
    expect(JSON.parse(await seedCurl(dev))).toEqual({ accepted: 1, duplicates: 0, dropped: {} });
    expect(await stored(dev, "test_123")).toMatchObject([{ trace_id: "test_123", message: "test", system: "manual" }]);
  });

  it("still needs credentials in development from a foreign Origin or with a wrong token", async () => {
    const body = JSON.stringify({ trace_id: "dev-denied", message: "x" });
    const foreign = await fetch(`${dev.url}/log`, {
      method: "POST",
      headers: { origin: "https://evil.example" },
      body,
    });
    expect(foreign.status).toBe(403);
    const wrong = await fetch(`${dev.url}/log`, { method: "POST", headers: { authorization: "Bearer nope" }, body });
    expect(wrong.status).toBe(403);
    expect(await stored(dev, "dev-denied")).toEqual([]);
  });

  it("is refused in production: 403 without a token, 415 for the form content type with one", async () => {
    expect(JSON.parse(await seedCurl(production))).toMatchObject({
      error: expect.stringMatching(/^No credentials: servers send Authorization: Bearer <INGEST_TOKEN>/),
    });
    const res = await fetch(`${production.url}/log`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${production.ingestToken}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: JSON.stringify({ trace_id: "test_123", message: "test" }),
    });
    expect(res.status).toBe(415);
    expect(await stored(production, "test_123")).toEqual([]);
  });
});
