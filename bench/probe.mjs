// Reads the bench's own redis-server directly (RESP, not through the REST endpoint, so nothing here is
// counted as billed): command statistics, memory, and what a load point actually stored.
import { createClient } from "redis";

/** Commands a connection sends for itself: the endpoint's pool opening connections, our own INFO snapshots. */
const HOUSEKEEPING = /^(info|hello|auth|select|ping|client\|.*)$/;

/**
 * Entries in one list: /log and the naive routes both store one entry per element. A trace's `:notable` list
 * (positions of its errors and warnings) holds no entries.
 */
const ENTRIES_OF = `local function entries_of(key)
  return redis.call('LLEN', key)
end
`;

/** Lists under a pattern: their number, the entries they hold and the names of the first `sample`. */
const COUNT_LISTS = `${ENTRIES_OF}local n, lists, sample = 0, 0, {}
for _, key in ipairs(redis.call('KEYS', ARGV[1])) do
  if redis.call('TYPE', key).ok == 'list' and string.sub(key, -8) ~= ':notable' then
    n = n + entries_of(key)
    lists = lists + 1
    if #sample < tonumber(ARGV[2]) then sample[#sample + 1] = key end
  end
end
return { n, lists, sample }`;

const ENTRIES_IN_LIST = `${ENTRIES_OF}return entries_of(KEYS[1])`;

/** @param {string} url redis://127.0.0.1:PORT of the bench's own redis-server */
export async function openProbe(url) {
  const client = createClient({ url });
  client.on("error", (/** @type {Error} */ error) => console.error(`[bench] probe ${url}: ${error.message}`));
  await client.connect();
  const send = (/** @type {string[]} */ args) => client.sendCommand(args);

  return {
    /** `INFO commandstats`: calls and microseconds by command name (subcommands as `client|setinfo`). */
    async commandStats() {
      const info = String(await send(["INFO", "commandstats"]));
      /** @type {Record<string, { calls: number, usec: number }>} */
      const out = {};
      for (const m of info.matchAll(/^cmdstat_([a-z_|-]+):calls=(\d+),usec=(\d+)/gm))
        out[m[1]] = { calls: Number(m[2]), usec: Number(m[3]) };
      return out;
    },
    async usedMemory() {
      const info = String(await send(["INFO", "memory"]));
      return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
    },
    async info(section) {
      return String(await send(["INFO", section]));
    },
    flush: () => send(["FLUSHDB", "SYNC"]),
    /** Total entries in the lists matching `pattern`, how many lists, and a sample of their names. */
    async countLists(/** @type {string} */ pattern, sample = 20) {
      const [logs, lists, names] = /** @type {[number, number, string[]]} */ (
        await send(["EVAL", COUNT_LISTS, "0", pattern, String(sample)])
      );
      return { logs: Number(logs), lists: Number(lists), sample: names.map(String) };
    },
    async integer(/** @type {string} */ key) {
      return Number((await send(["GET", key])) ?? 0);
    },
    /** Bytes per entry of the sampled lists: the list alone, and with the keys stored beside it (`suffixes`). */
    async sampleBytes(/** @type {string[]} */ lists, /** @type {string[]} */ suffixes = []) {
      let entries = 0;
      let listBytes = 0;
      let allBytes = 0;
      for (const key of lists) {
        entries += Number(await send(["EVAL", ENTRIES_IN_LIST, "1", key]));
        const own = Number((await send(["MEMORY", "USAGE", key, "SAMPLES", "0"])) ?? 0);
        listBytes += own;
        allBytes += own;
        for (const suffix of suffixes)
          allBytes += Number((await send(["MEMORY", "USAGE", key + suffix, "SAMPLES", "0"])) ?? 0);
      }
      return entries
        ? { entries, list_bytes_per_log: listBytes / entries, trace_keys_bytes_per_log: allBytes / entries }
        : null;
    },
    close: () => client.quit().catch(() => client.disconnect()),
  };
}

/**
 * What changed between two `INFO commandstats` snapshots, split the way Upstash bills: `topLevel` are the calls
 * of the commands that arrived from outside (the names the REST endpoint saw: scripts cannot call EVAL/EVALSHA,
 * and no target runs a script that also calls the others); the remaining calls ran inside scripts.
 * `scriptUsec` is the time Redis spent running scripts (their inner commands included).
 * @param {Record<string, { calls: number, usec: number }>} before
 * @param {Record<string, { calls: number, usec: number }>} after
 * @param {Record<string, number>} arrived commands by name as the REST endpoint received them
 */
export function commandStatsDelta(before, after, arrived) {
  /** @type {Record<string, number>} */
  const delta = {};
  let usec = 0;
  let scriptUsec = 0;
  for (const [name, now] of Object.entries(after)) {
    const d = now.calls - (before[name]?.calls ?? 0);
    if (d <= 0) continue;
    delta[name] = d;
    const t = now.usec - (before[name]?.usec ?? 0);
    if (name === "eval" || name === "evalsha") scriptUsec += t;
    else if (name in arrived) usec += t;
  }
  let topLevel = 0;
  let insideScripts = 0;
  let housekeeping = 0;
  for (const [name, calls] of Object.entries(delta)) {
    if (name in arrived || name === "eval" || name === "evalsha") topLevel += calls;
    else if (HOUSEKEEPING.test(name)) housekeeping += calls;
    else insideScripts += calls;
  }
  const scriptRuns = (delta.eval ?? 0) + (delta.evalsha ?? 0);
  return { delta, topLevel, insideScripts, housekeeping, scriptRuns, scriptUsec, commandUsec: usec + scriptUsec };
}
