// Who may post logs: the development-only admission of loopback requests must not reach anything else.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../core/config.js";
import { authorize } from "./app.js";

const dev = loadConfig({ ENVIRONMENT: "development", INGEST_TOKEN: "secret" });
const prod = loadConfig({ ENVIRONMENT: "production", INGEST_TOKEN: "secret" });
const req = (url: string, headers: Record<string, string> = {}) => new Request(url, { method: "POST", headers });

describe("authorize", () => {
  it("admits a loopback request without Origin or token in development only", async () => {
    await expect(authorize(req("http://localhost:8787/log"), dev)).resolves.toBe("loopback");
    await expect(authorize(req("http://127.0.0.1:8787/log", { "cf-connecting-ip": "127.0.0.1" }), dev)).resolves.toBe(
      "loopback",
    );
    await expect(authorize(req("http://localhost:8787/log"), prod)).rejects.toMatchObject({ status: 403 });
  });

  it("refuses, in development too, other hosts, remote clients, foreign origins and wrong tokens", async () => {
    for (const request of [
      req("https://debug-logs.example.workers.dev/log"),
      req("http://localhost:8787/log", { "cf-connecting-ip": "203.0.113.7" }),
      req("http://localhost:8787/log", { origin: "https://evil.example" }),
      req("http://localhost:8787/log", { authorization: "Bearer wrong" }),
    ]) {
      await expect(authorize(request, dev)).rejects.toMatchObject({ name: "AuthError", status: 403 });
    }
    await expect(authorize(req("https://x.example/log", { authorization: "Bearer secret" }), prod)).resolves.toBe(
      "token",
    );
  });
});
