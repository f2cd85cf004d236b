// The local Upstash REST endpoint's contract, against a real redis-server and the in-memory store,
// through the same @upstash/redis client production uses (plus raw HTTP where the wire format matters).
import { Redis } from "@upstash/redis";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { findRedisServer, startRedisServer } from "./redis-server.mjs";
import { startUpstashRest } from "./upstash-rest.mjs";

type Rest = Awaited<ReturnType<typeof startUpstashRest>>;
const KINDS = ["redis", "memory"] as const;
const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");

// The shape of @upstash/ratelimit's scripts: Upstash-only shebang, keys in KEYS.
const LOCKING_SCRIPT = `#!lua flags=allow-key-locking
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {n, redis.call('PTTL', KEYS[1]) > 0, 'done', {1, 'x'}}`;

for (const kind of KINDS) {
  describe.skipIf(kind === "redis" && !findRedisServer())(
    `upstash REST endpoint over ${kind}${kind === "redis" ? " (skipped without redis-server on PATH)" : ""}`,
    () => {
      let rest: Rest;
      let stopRedis: (() => Promise<void>) | undefined;
      let redis: Redis; // base64 responses, no auto-pipelining: one request per command
      const raw = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${rest.url}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${rest.token}`, ...headers },
          body: typeof body === "string" ? body : JSON.stringify(body),
        }).then(async (res) => ({ status: res.status, body: await res.json() }));

      beforeAll(async () => {
        if (kind === "redis") {
          const server = await startRedisServer({ port: 0 });
          stopRedis = server.stop;
          rest = await startUpstashRest({ backend: { type: "redis", url: server.url } });
        } else {
          rest = await startUpstashRest({ backend: { type: "memory" } });
        }
        redis = new Redis({ url: rest.url, token: rest.token, retry: false, enableAutoPipelining: false });
      });
      afterAll(async () => {
        await rest?.close();
        await stopRedis?.();
      });
      beforeEach(async () => {
        await raw("/", ["FLUSHDB"]);
        await raw("/", ["SCRIPT", "FLUSH"]);
        rest.stats.reset();
      });

      it("round-trips values through the client in base64 and plain encodings", async () => {
        const plain = new Redis({ url: rest.url, token: rest.token, retry: false, responseEncoding: false });
        const text = 'héllo 👋 "quoted" \n line';
        expect(await redis.set("a", text)).toBe("OK");
        expect(await plain.get("a")).toBe(text);
        expect(await redis.get("a")).toBe(text);
        await plain.rpush("l", "x", "ÿ", "z");
        expect(await redis.lrange("l", 0, -1)).toEqual(["x", "ÿ", "z"]);
        expect(await plain.hset("h", { f: "v", n: 3 })).toBe(2);
        expect(await redis.hgetall("h")).toEqual({ f: "v", n: 3 });
        expect(await redis.get("missing")).toBeNull();
      });

      it("base64-encodes every string, status replies and nested ones included, and nothing else", async () => {
        const b64 = { "upstash-encoding": "base64" };
        const enc = (s: string) => Buffer.from(s).toString("base64");
        expect(await raw("/", ["SET", "k", "vé"], b64)).toEqual({ status: 200, body: { result: enc("OK") } });
        expect(await raw("/", ["GET", "k"], b64)).toEqual({ status: 200, body: { result: enc("vé") } });
        expect(await raw("/", ["GET", "missing"], b64)).toEqual({ status: 200, body: { result: null } });
        expect(await raw("/", ["INCR", "n"], b64)).toEqual({ status: 200, body: { result: 1 } });
        const script = "return {1, 'a', {2, 'b'}, false}";
        expect((await raw("/", ["EVAL", script, 0], b64)).body).toEqual({ result: [1, enc("a"), [2, enc("b")], null] });
        expect((await raw("/", ["EVAL", script, 0])).body).toEqual({ result: [1, "a", [2, "b"], null] });
      });

      it("always sends the result key, stringifies numbers and booleans, and accepts the path form", async () => {
        const missing = await fetch(rest.url, {
          method: "POST",
          headers: { authorization: `Bearer ${rest.token}` },
          body: '["GET","nope"]',
        });
        expect(await missing.text()).toBe('{"result":null}');
        await raw("/", ["SET", "n", 5]);
        await raw("/", ["SET", "b", true]);
        await raw("/", ["SET", "f", 2.5]);
        expect((await raw("/", ["MGET", "n", "b", "f"])).body).toEqual({ result: ["5", "true", "2.5"] });
        expect((await raw("/set/path%2Fkey/v1", "")).body).toEqual({ result: "OK" });
        expect((await raw("/get/path%2Fkey", "")).body).toEqual({ result: "v1" });
        expect((await raw("/set/bodykey", "from the body")).body).toEqual({ result: "OK" });
        expect(await redis.get("bodykey")).toBe("from the body");
        if (kind === "redis") {
          // A path-form body reaches Redis as the bytes sent, not through a JS string.
          const bytes = Uint8Array.from([0xff, 0x00, 0x80, 0x41]);
          await fetch(`${rest.url}/set/binkey`, {
            method: "POST",
            headers: { authorization: `Bearer ${rest.token}` },
            body: bytes,
          });
          const got = await raw("/", ["GET", "binkey"], { "upstash-encoding": "base64" });
          expect(got.body).toEqual({ result: Buffer.from(bytes).toString("base64") });
        }
      });

      it("answers a failing single command with HTTP 400 and the Redis error text", async () => {
        await redis.hset("h", { a: 1 });
        expect(await raw("/", ["INCR", "h"])).toEqual({
          status: 400,
          body: { error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
        });
        expect((await raw("/", ["GET"])).body.error).toBe("ERR wrong number of arguments for 'get' command");
        await expect(redis.incr("h")).rejects.toThrow(/WRONGTYPE/);
        expect((await raw("/", "not json")).status).toBe(400);
        expect((await raw("/", ["MULTI"])).body.error).toMatch(/multi-exec/);
      });

      it("runs a pipeline with per-item errors inside an HTTP 200", async () => {
        await redis.hset("h", { a: 1 });
        const res = await raw("/pipeline", [
          ["SET", "p", "1"],
          ["INCR", "h"],
          ["INCRBY", "p", 4],
          ["GET", "p"],
        ]);
        expect(res.status).toBe(200);
        expect(res.body).toEqual([
          { result: "OK" },
          { error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
          { result: 5 },
          { result: "5" },
        ]);
        const p = redis.pipeline();
        p.set("q", "a");
        p.append("q", "bc");
        p.get("q");
        expect(await p.exec()).toEqual(["OK", 3, "abc"]);
        const failing = redis.pipeline();
        failing.set("r", 1);
        failing.incr("h");
        await expect(failing.exec()).rejects.toThrow(/Command 2 \[ incr \] failed: WRONGTYPE/);
        expect(await redis.get("r")).toBe(1);
      });

      it("runs multi-exec atomically: runtime errors per item, queue-time errors abort everything", async () => {
        const tx = redis.multi();
        tx.set("m", "1");
        tx.incr("m");
        tx.lpush("list", "a", "b");
        expect(await tx.exec()).toEqual(["OK", 2, 2]);
        await redis.hset("h", { a: 1 });
        const partial = await raw("/multi-exec", [
          ["SET", "x", "1"],
          ["INCR", "h"],
          ["INCR", "x"],
        ]);
        expect(partial).toEqual({
          status: 200,
          body: [
            { result: "OK" },
            { error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
            { result: 2 },
          ],
        });
        const aborted = await raw("/multi-exec", [
          ["SET", "y", "1"],
          ["NOSUCHCOMMAND", "y"],
        ]);
        expect(aborted.status).toBe(400);
        expect(aborted.body.error).toMatch(/^EXECABORT/);
        expect(await redis.exists("y")).toBe(0);
      });

      it("rejects a wrong or missing token with 401 and counts nothing", async () => {
        const intruder = new Redis({ url: rest.url, token: "wrong", retry: false });
        await expect(intruder.get("a")).rejects.toThrow(/Unauthorized/);
        const res = await fetch(rest.url, { method: "POST", body: '["PING"]' });
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ error: "Unauthorized" });
        expect(rest.stats.commands).toBe(0);
        expect(rest.stats.requests).toBe(0);
      });

      it("accepts the allow-key-locking shebang: EVALSHA misses, falls back to EVAL, then hits", async () => {
        const script = redis.createScript<[number, number, string, [number, string]]>(LOCKING_SCRIPT);
        expect(await script.exec(["counter"], ["2", "60000"])).toEqual([2, 1, "done", [1, "x"]]);
        expect(await script.exec(["counter"], ["3", "60000"])).toEqual([5, 1, "done", [1, "x"]]);
        expect(rest.stats.byCommand).toEqual({ evalsha: 2, eval: 1 });
        const sha = sha1(LOCKING_SCRIPT);
        expect(await redis.scriptExists(sha, "0".repeat(40))).toEqual([1, 0]);
        await redis.scriptFlush();
        expect(await redis.scriptLoad(LOCKING_SCRIPT)).toBe(sha);
        expect(await redis.evalsha(sha, ["counter"], ["1", "60000"])).toEqual([6, 1, "done", [1, "x"]]);
      });

      it("answers an unknown sha with Redis's NOSCRIPT error", async () => {
        expect(await raw("/", ["EVALSHA", "f".repeat(40), 0])).toEqual({
          status: 400,
          body: { error: "NOSCRIPT No matching script. Please use EVAL." },
        });
        expect((await raw("/", ["EVAL", "#!lua flags=bogus\nreturn 1", 0])).body.error).toMatch(
          /Unexpected flag in script shebang: bogus/,
        );
      });

      it("really expires keys", async () => {
        await redis.set("short", "v", { px: 150 });
        await redis.set("long", "v", { ex: 60 });
        await redis.rpush("list", "a");
        expect(await redis.pexpire("list", 150)).toBe(1);
        expect(await redis.ttl("long")).toBeGreaterThan(58);
        expect(await redis.ttl("nothing")).toBe(-2);
        await new Promise((r) => setTimeout(r, 300));
        expect(await redis.get("short")).toBeNull();
        expect(await redis.exists("short", "list", "long")).toBe(1);
        expect(await redis.ttl("list")).toBe(-2);
        expect(await redis.dbsize()).toBe(1);
        expect(await redis.keys("*")).toEqual(["long"]);
      });

      it("counts commands the way Upstash bills them", async () => {
        await redis.set("a", 1);
        const p = redis.pipeline();
        p.incr("a");
        p.incr("a");
        p.get("a");
        await p.exec();
        const tx = redis.multi();
        tx.incr("a");
        tx.incr("a");
        await tx.exec();
        await redis.eval("return redis.call('INCR', KEYS[1]) + redis.call('INCR', KEYS[1])", ["a"], []);
        expect(rest.stats.commands).toBe(7);
        expect(rest.stats.byCommand).toEqual({ set: 1, incr: 4, get: 1, eval: 1 });
        expect(rest.stats.requests).toBe(4);
        rest.stats.reset();
        expect(rest.stats.commands).toBe(0);
      });

      it("serves the auto-pipelining client (concurrent commands batched on /pipeline)", async () => {
        const auto = new Redis({ url: rest.url, token: rest.token, retry: false, enableAutoPipelining: true });
        const results = await Promise.all([auto.set("x", "1"), auto.incr("x"), auto.get("x"), auto.get("nope")]);
        expect(results).toEqual(["OK", 2, 2, null]);
        expect(rest.stats.commands).toBe(4);
        expect(rest.stats.requests).toBeLessThan(4);
      });

      it("answers PING, DBSIZE, SCAN and INFO", async () => {
        await redis.set("k1", "v");
        await redis.set("k2", "v");
        expect(await redis.ping()).toBe("PONG");
        expect(await redis.dbsize()).toBe(2);
        const [cursor, keys] = await redis.scan(0, { match: "k*", count: 100 });
        expect(String(cursor)).toBe("0");
        expect([...keys].sort()).toEqual(["k1", "k2"]);
        const info = (await raw("/", ["INFO", "commandstats"])).body.result as string;
        expect(info).toMatch(/^# Commandstats/);
        expect(info).toMatch(/cmdstat_set:calls=\d+/);
      });
    },
  );
}

for (const kind of KINDS) {
  describe.skipIf(kind === "redis" && !findRedisServer())(
    `upstash REST endpoint's strict mode over ${kind}${kind === "redis" ? " (skipped without redis-server on PATH)" : ""}`,
    () => {
      let strict: Rest;
      let lenient: Rest;
      let stopRedis: (() => Promise<void>) | undefined;
      const call = (rest: Rest, path: string, body: unknown) =>
        fetch(`${rest.url}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${rest.token}` },
          body: typeof body === "string" ? body : JSON.stringify(body),
        }).then(async (res) => ({
          status: res.status,
          body: (await res.json()) as { result?: unknown; error?: string },
        }));

      beforeAll(async () => {
        // Upstash's rules, with the size limits lowered so a test needs no 10 MB payloads.
        const limits = { maxRequestBytes: 50_000, maxReplyBytes: 100_000, maxRecordBytes: 40_000 };
        if (kind === "redis") {
          const server = await startRedisServer({ port: 0 });
          stopRedis = server.stop;
          strict = await startUpstashRest({ backend: { type: "redis", url: server.url }, strict: limits });
          lenient = await startUpstashRest({ backend: { type: "redis", url: server.url }, strict: false });
        } else {
          strict = await startUpstashRest({ backend: { type: "memory" }, strict: limits });
          lenient = await startUpstashRest({ backend: { type: "memory" }, strict: false });
        }
      });
      afterAll(async () => {
        await strict?.close();
        await lenient?.close();
        await stopRedis?.();
      });

      it("fails a script with allow-key-locking that touches a key not in KEYS, as Upstash does", async () => {
        const script =
          "#!lua flags=allow-key-locking\nredis.call('SET', KEYS[1], 'a')\nreturn redis.call('GET', 'other')";
        const refused = await call(strict, "/", ["EVAL", script, "1", "declared"]);
        expect(refused.status).toBe(400);
        expect(refused.body.error).toMatch(/key other not declared in KEYS/);
        const viaPcall = "#!lua flags=allow-key-locking\nreturn redis.pcall('GET', 'other')";
        expect((await call(strict, "/", ["EVAL", viaPcall, "0"])).body.error).toMatch(/not declared in KEYS/);
        const wide = "#!lua flags=allow-key-locking\nreturn redis.call('FLUSHDB')";
        expect((await call(strict, "/", ["EVAL", wide, "0"])).body.error).toMatch(/flushdb is not allowed/);
        // Declared keys pass; without the flag Upstash takes the global lock and lets the script run.
        const declared =
          "#!lua flags=allow-key-locking\nredis.call('SET', KEYS[1], 'a')\nreturn redis.call('GET', KEYS[1])";
        expect((await call(strict, "/", ["EVAL", declared, "1", "declared"])).body).toEqual({ result: "a" });
        const unflagged = "redis.call('SET', 'other', 'b')\nreturn redis.call('GET', 'other')";
        expect((await call(strict, "/", ["EVAL", unflagged, "0"])).body).toEqual({ result: "b" });
        // The lenient endpoint lets the first script through.
        const through = await call(lenient, "/", ["EVAL", script, "1", "declared"]);
        expect(through.status).toBe(200);
        expect(through.body.error).toBeUndefined();
      });

      it("fails a script run with EVAL_RO or flagged no-writes when it writes", async () => {
        const script = "#!lua flags=no-writes,allow-key-locking\nreturn redis.call('SET', KEYS[1], 'a')";
        const refused = await call(strict, "/", ["EVAL_RO", script, "1", "k"]);
        expect(refused.status).toBe(400);
        expect(refused.body.error).toMatch(/[Ww]rite commands are not allowed/);
        const reads = "#!lua flags=no-writes,allow-key-locking\nreturn redis.call('GET', KEYS[1])";
        expect((await call(strict, "/", ["EVAL_RO", reads, "1", "k"])).status).toBe(200);
      });

      it("fails a reply over the max request size, alone and inside a pipeline, as Upstash does", async () => {
        const value = "v".repeat(30_000);
        expect((await call(strict, "/", ["SET", "big1", value])).body).toEqual({ result: "OK" });
        expect((await call(strict, "/", ["SET", "big2", value])).body).toEqual({ result: "OK" });
        expect((await call(strict, "/", ["GET", "big1"])).body.result).toBe(value);
        const both = await call(strict, "/", ["MGET", "big1", "big2", "big1", "big2"]);
        expect(both.status).toBe(400);
        expect(both.body.error).toMatch(/^ERR max request size exceeded/);
        const piped = await call(strict, "/pipeline", [
          ["GET", "big1"],
          ["MGET", "big1", "big2", "big1", "big2"],
        ]);
        expect(piped.status).toBe(200);
        expect(piped.body).toMatchObject([{ result: value }, { error: expect.stringMatching(/max request size/) }]);
        expect((await call(lenient, "/", ["MGET", "big1", "big2", "big1", "big2"])).status).toBe(200);
      });

      it("refuses a request over the max request size, a key over 32 KB and a value over the record size", async () => {
        const request = await call(strict, "/", ["SET", "k", "x".repeat(60_000)]);
        expect(request.status).toBe(400);
        expect(request.body.error).toMatch(/^ERR max request size exceeded. Limit: 50000 bytes, Actual: 600\d\d bytes/);
        const key = await call(strict, "/", ["SET", "k".repeat(33 * 1024), "v"]);
        expect(key.body.error).toMatch(/^ERR max key size exceeded. Limit: 32768 bytes/);
        const scriptKey = await call(strict, "/", ["EVAL", "return 1", "1", "k".repeat(33 * 1024)]);
        expect(scriptKey.body.error).toMatch(/^ERR max key size exceeded/);
        const record = await call(strict, "/set/record", "x".repeat(45_000));
        expect(record.body.error).toMatch(/^ERR max single record size exceeded/);
        expect((await call(strict, "/", ["GET", "record"])).body).toEqual({ result: null });
      });
    },
  );
}
