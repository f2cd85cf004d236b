// A real Redis behind the local REST endpoint, through node-redis. Replies keep raw bytes (Buffers)
// so base64 responses are byte-exact. Commands share one connection, which node-redis pipelines (the writes of
// one tick go out together); MULTI and blocking commands run on pooled connections of their own.
import { createClient, createClientPool, RESP_TYPES } from "redis";

/** @typedef {string | number | null | Buffer | RawReply[]} RawReply */
/** @typedef {{ result: RawReply } | { error: string }} RawOutcome */

const BYTES = { [RESP_TYPES.BLOB_STRING]: Buffer, [RESP_TYPES.SIMPLE_STRING]: Buffer };
/** Commands that may wait server-side: on the shared connection they would hold up every other request. */
const BLOCKING = new Set(
  "blpop brpop brpoplpush blmove blmpop bzpopmin bzpopmax bzmpop xread xreadgroup wait waitaof".split(" "),
);

/**
 * @param {{ url: string, poolSize?: number }} options poolSize: connections, default 8
 */
export async function createRedisBackend({ url, poolSize = 8 }) {
  const pool = createClientPool({ url }, { minimum: 1, maximum: poolSize });
  pool.on("error", (/** @type {Error} */ error) => console.error(`[upstash-rest] redis ${url}: ${error.message}`));
  await pool.connect();
  const shared = createClient({ url });
  shared.on("error", (/** @type {Error} */ error) => console.error(`[upstash-rest] redis ${url}: ${error.message}`));
  await shared.connect();

  /** @returns {Promise<RawOutcome>} */
  const send = (/** @type {any} */ client, /** @type {string[]} */ args) =>
    client.sendCommand(args, { typeMapping: BYTES }).then(
      (/** @type {unknown} */ result) => ({ result: normalize(result) }),
      (/** @type {unknown} */ error) => ({ error: errorText(error) }),
    );

  return {
    kind: /** @type {const} */ ("redis"),
    describe: () => `redis at ${url}`,
    exec: (/** @type {Array<string | Buffer>} */ args) =>
      BLOCKING.has(String(args[0]).toLowerCase()) ? pool.execute((client) => send(client, args)) : send(shared, args),
    /** node-redis writes the commands back to back on one connection, like a pipeline. */
    pipeline: (/** @type {string[][]} */ commands) =>
      commands.some((args) => BLOCKING.has(String(args[0]).toLowerCase()))
        ? pool.execute((client) => Promise.all(commands.map((args) => send(client, args))))
        : Promise.all(commands.map((args) => send(shared, args))),
    /** @returns {Promise<RawOutcome[] | { error: string }>} */
    multiExec: (/** @type {string[][]} */ commands) =>
      pool.execute(async (client) => {
        const started = await send(client, ["MULTI"]);
        if ("error" in started) return started;
        let done = false;
        try {
          const queued = await Promise.all(commands.map((args) => send(client, args)));
          const exec = await send(client, ["EXEC"]);
          done = true;
          if ("error" in exec) {
            const first = queued.findIndex((q) => "error" in q);
            const cause = queued[first];
            return {
              error: cause && "error" in cause ? `${exec.error} (command ${first + 1}: ${cause.error})` : exec.error,
            };
          }
          if (!Array.isArray(exec.result)) return { error: "EXECABORT Transaction aborted" };
          return exec.result.map((item) => (item instanceof Error ? { error: item.message } : { result: item }));
        } finally {
          // Never hand a connection still inside MULTI back to the pool.
          if (!done) await send(client, ["DISCARD"]);
        }
      }),
    async close() {
      await shared.close();
      await pool.close();
    },
  };
}

/** Errors inside EXEC replies stay Error objects (turned into per-item errors by the caller). */
function normalize(/** @type {unknown} */ value) {
  if (Array.isArray(value)) return value.map((v) => (v instanceof Error ? v : normalize(v)));
  return /** @type {RawReply} */ (value ?? null);
}

function errorText(/** @type {unknown} */ error) {
  return error instanceof Error ? error.message : String(error);
}
