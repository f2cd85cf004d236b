// Turns the measured points into the headline figures (batch 20, concurrency 16), the targets and the markdown
// summary. Every comparison is a ratio against baselines measured in the same run.

/** Targets from the issue. */
export const TARGETS = {
  commandsPerRequest: 1,
  naiveCommandsFactor: 40,
  oneCommandShare: 0.75,
  correlate10kMs: 100,
  correlate10kMb: 64,
  correlate50kMs: 1000,
  /** Largest single Redis reply of a read through /mcp, MB (Upstash refuses over 10 MB). */
  readReplyMb: 8,
  /** workerd's peak resident set during one read through /mcp, MB (a Worker has 128 MB). */
  readWorkerMb: 128,
};

/** Median of the finite values; NaN when there are none. */
export function median(/** @type {number[]} */ xs) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fixed = (/** @type {number} */ x, d = 0) =>
  Number.isFinite(x) ? x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d }) : "n/a";

/** Median over rounds of the headline point, and per-round ratios (rounds pair measurements close in time). */
export function headline(points, at) {
  const cell = points.filter((p) => p.concurrency === at.concurrency && p.batch === at.batch);
  const of = (target) => cell.filter((p) => p.target === target);
  const m = (target, f) => median(of(target).map(f));
  const sum = (target, f) => of(target).reduce((s, p) => s + f(p), 0);
  const rounds = [...new Set(cell.map((p) => p.round))].sort((a, b) => a - b);
  const ratio = (a, b, f) =>
    rounds.map((r) => {
      const x = cell.find((p) => p.target === a && p.round === r);
      const y = cell.find((p) => p.target === b && p.round === r);
      return x && y ? f(x) / f(y) : NaN;
    });
  const logs = (p) => p.logs_per_sec;
  const perRound = {
    ingest_vs_bare_logs_per_sec: ratio("ingest", "bare", logs),
    ingest_vs_one_command_logs_per_sec: ratio("ingest", "one_command", logs),
    ingest_vs_naive_logs_per_sec: ratio("ingest", "naive", logs),
    ingest_vs_naive_parallel_logs_per_sec: ratio("ingest", "naive_parallel", logs),
    naive_over_ingest_commands_per_log: ratio("naive", "ingest", (p) => p.redis.commands_per_log),
    /** Inverse CPU per request, all processes: what the logs/s ratio would be if only CPU time counted. */
    ingest_vs_one_command_cpu_implied: ratio("one_command", "ingest", (p) => {
      const c = p.cpu_us_per_request;
      return c.worker + c.proxy + c.redis + c.node;
    }),
  };
  const bytes = (key) => m("ingest", (p) => p.redis.bytes?.[key] ?? NaN);
  return {
    ingest: {
      concurrency: at.concurrency,
      batch: at.batch,
      rounds: rounds.length,
      logs_per_sec: m("ingest", logs),
      requests_per_sec: m("ingest", (p) => p.requests_per_sec),
      latency_ms: { p50: m("ingest", (p) => p.latency_ms.p50), p99: m("ingest", (p) => p.latency_ms.p99) },
      non_2xx: sum("ingest", (p) => p.non_2xx),
      errors: sum("ingest", (p) => p.errors),
      timeouts: sum("ingest", (p) => p.timeouts),
      redis_commands_per_request: m("ingest", (p) => p.redis.commands_per_request),
      redis_commands_per_log: m("ingest", (p) => p.redis.commands_per_log),
      redis_inside_script_calls_per_log: m("ingest", (p) => p.redis.commandstats.inside_scripts_per_log),
      redis_usec_per_request: m("ingest", (p) => p.redis.commandstats.redis_usec_per_request),
      bytes_per_log: {
        used_memory: bytes("used_memory_per_log"),
        trace_keys: bytes("trace_keys_bytes_per_log"),
        list_only: bytes("list_bytes_per_log"),
      },
      upstash_usd_per_million_logs: m("ingest", (p) => p.redis.upstash_usd_per_million_logs),
    },
    /** CPU µs per request by process (medians of the rounds), for every route measured at this point. */
    cpu_us_per_request: Object.fromEntries(
      [...new Set(cell.map((p) => p.target))].map((t) => [
        t,
        Object.fromEntries(
          ["worker", "proxy", "redis", "node"].map((k) => [k, m(t, (p) => p.cpu_us_per_request?.[k] ?? NaN)]),
        ),
      ]),
    ),
    baseline: {
      bare_worker_logs_per_sec: m("bare", logs),
      one_command_logs_per_sec: m("one_command", logs),
      naive_logs_per_sec: m("naive", logs),
      naive_parallel_logs_per_sec: m("naive_parallel", logs),
      one_command_redis_commands_per_request: m("one_command", (p) => p.redis.commands_per_request),
      naive_redis_commands_per_log: m("naive", (p) => p.redis.commands_per_log),
      naive_bytes_per_log: {
        used_memory: m("naive", (p) => p.redis.bytes?.used_memory_per_log ?? NaN),
        list_only: m("naive", (p) => p.redis.bytes?.list_bytes_per_log ?? NaN),
      },
      naive_upstash_usd_per_million_logs: m("naive", (p) => p.redis.upstash_usd_per_million_logs),
      latency_ms: Object.fromEntries(
        ["bare", "one_command", "naive", "naive_parallel"].map((t) => [
          t,
          { p50: m(t, (p) => p.latency_ms.p50), p99: m(t, (p) => p.latency_ms.p99) },
        ]),
      ),
      naive_design:
        "per log one LPUSH then one EXPIRE, awaited in sequence (naive_parallel: all of a request's commands at once with Promise.all)",
    },
    ratios: { ...Object.fromEntries(Object.entries(perRound).map(([k, v]) => [k, median(v)])), per_round: perRound },
  };
}

function verdict(met) {
  return met ? "**met**" : "**missed**";
}

/** Evaluates the targets and writes the summary. */
export function renderMarkdown(results) {
  const out = [];
  const targets = [];
  const add = (name, target, measured, met, note = "") =>
    targets.push({ name, target, measured, met, ...(note ? { note } : {}) });
  out.push(`# Benchmark ${results.timestamp} (${results.mode})`, "");
  const mc = results.machine;
  out.push(
    `Machine: ${mc.cpus} CPUs (${mc.cpu_model}), Node ${mc.node}, redis-server ${mc.redis_server ?? "n/a"}, wrangler ${mc.wrangler}; load average ${mc.load_average_start.map((x) => x.toFixed(1)).join("/")} at start, ${mc.load_average_end.map((x) => x.toFixed(1)).join("/")} at end. Everything (workerd, the REST endpoint, redis-server, autocannon) shares these CPUs, so absolute figures are noisy; compare the ratios.`,
    "",
  );
  if (results.worker_reloads) {
    out.push(
      `**Warning:** wrangler reloaded the Worker ${results.worker_reloads} time(s) during the load (its sources changed under the run), so points before and after measure different code. Run again on a quiet tree.`,
      "",
    );
  }

  if (results.matrix) {
    const { ingest, baseline, ratios } = results;
    const matrix = results.matrix;
    const ingestPoints = matrix.filter((p) => p.target === "ingest");
    const cprs = ingestPoints.map((p) => p.redis.commands_per_request);
    const byBatch = [...new Set(ingestPoints.map((p) => p.batch))].map((b) => {
      const xs = ingestPoints.filter((p) => p.batch === b).map((p) => p.redis.commands_per_request);
      return `batch ${b}: ${xs.map((x) => fixed(x, 3)).join("/")}`;
    });
    const oneEach = cprs.every((x) => Math.abs(x - TARGETS.commandsPerRequest) <= 0.01);
    add(
      "one Redis command per request per trace, any batch size",
      "1.000 commands/request",
      byBatch.join("; "),
      oneEach,
    );
    const factor = ratios.naive_over_ingest_commands_per_log;
    // Structurally 2 / (1/20) = 40 exactly: compare at the precision it is reported with.
    add(
      "batch 20: naive commands/log ÷ ingest commands/log",
      `≥ ${TARGETS.naiveCommandsFactor}x`,
      `${fixed(factor, 1)}x (${fixed(baseline.naive_redis_commands_per_log, 3)} vs ${fixed(ingest.redis_commands_per_log, 3)})`,
      Math.round(factor * 10) / 10 >= TARGETS.naiveCommandsFactor,
      "exactly the structural ratio 2 ÷ (1/20): the target sits on the boundary",
    );
    const share = ratios.ingest_vs_one_command_logs_per_sec;
    add(
      "batch 20, concurrency 16: ingest logs/s ÷ one-command floor",
      `≥ ${TARGETS.oneCommandShare}`,
      `${fixed(share, 2)} (median of ${ingest.rounds} paired rounds: ${ratios.per_round.ingest_vs_one_command_logs_per_sec.map((x) => fixed(x, 2)).join(", ")}; ${fixed(ingest.logs_per_sec)} vs ${fixed(baseline.one_command_logs_per_sec)} logs/s; CPU-implied ${fixed(ratios.ingest_vs_one_command_cpu_implied, 2)})`,
      share >= TARGETS.oneCommandShare,
      share >= TARGETS.oneCommandShare
        ? ""
        : `short by ${fixed((TARGETS.oneCommandShare - share) * 100, 0)} points, ${fixed((1 - share / TARGETS.oneCommandShare) * 100, 0)}% under the goal; see "Where the time goes"`,
    );
    const vsNaive = ratios.ingest_vs_naive_logs_per_sec;
    add(
      "batch 20, concurrency 16: ingest faster than naive",
      "> 1.0",
      `${fixed(vsNaive, 2)}x (${fixed(ingest.logs_per_sec)} vs ${fixed(baseline.naive_logs_per_sec)} logs/s; Promise.all naive ${fixed(ratios.ingest_vs_naive_parallel_logs_per_sec, 2)}x)`,
      vsNaive > 1,
    );

    out.push(
      `## Headline: batch ${ingest.batch}, concurrency ${ingest.concurrency} (median of ${ingest.rounds} round${ingest.rounds > 1 ? "s" : ""})`,
      "",
    );
    out.push(
      "| route | logs/s | vs ingest | p50 ms | p99 ms | Redis commands/log | Upstash $/M logs |",
      "|---|---:|---:|---:|---:|---:|---:|",
    );
    const row = (name, lps, lat, cpl) =>
      `| ${name} | ${fixed(lps)} | ${fixed(ingest.logs_per_sec / lps, 2)} | ${fixed(lat.p50, 1)} | ${fixed(lat.p99, 1)} | ${cpl === null ? "0" : fixed(cpl, 3)} | ${cpl === null ? "0" : fixed(cpl * 2, 2)} |`;
    out.push(
      row("POST /log (ingest)", ingest.logs_per_sec, ingest.latency_ms, ingest.redis_commands_per_log),
      row("bare Worker", baseline.bare_worker_logs_per_sec, baseline.latency_ms.bare, null),
      row("parse + one INCR", baseline.one_command_logs_per_sec, baseline.latency_ms.one_command, 1 / ingest.batch),
      row(
        "naive LPUSH+EXPIRE, sequential",
        baseline.naive_logs_per_sec,
        baseline.latency_ms.naive,
        baseline.naive_redis_commands_per_log,
      ),
      row(
        "naive LPUSH+EXPIRE, Promise.all",
        baseline.naive_parallel_logs_per_sec,
        baseline.latency_ms.naive_parallel,
        baseline.naive_redis_commands_per_log,
      ),
    );
    out.push(
      "",
      `Ingest: ${fixed(ingest.requests_per_sec)} requests/s, ${fixed(ingest.redis_commands_per_request, 3)} Redis commands per request (what Upstash bills; \`INFO commandstats\` agrees: ${ingestPoints.every((p) => p.redis.commandstats.agrees_with_endpoint) ? "yes" : "NO"}), plus ${fixed(ingest.redis_inside_script_calls_per_log, 1)} calls per log inside the script (not billed); Redis time ${fixed(ingest.redis_usec_per_request)} µs per request. Non-2xx ${ingest.non_2xx}, errors ${ingest.errors}, timeouts ${ingest.timeouts}.`,
      `Storage: ${fixed(ingest.bytes_per_log.used_memory)} bytes per log (used_memory delta, indexes included), ${fixed(ingest.bytes_per_log.trace_keys)} for the trace's own keys (list + meta + ids, MEMORY USAGE of sampled traces), ${fixed(ingest.bytes_per_log.list_only)} for the entry list alone; naive ${fixed(baseline.naive_bytes_per_log.list_only)} (list alone).`,
      `Upstash at $0.2 per 100K commands: $${fixed(ingest.upstash_usd_per_million_logs, 2)} per million logs at batch ${ingest.batch} vs $${fixed(baseline.naive_upstash_usd_per_million_logs, 2)} naive.`,
      "",
    );

    out.push("## Matrix: logs/s (ingest ÷ baseline in brackets), ingest latency", "");
    out.push(
      "| batch | conc | ingest logs/s | bare | one-command | naive | ingest p50/p99 ms | ingest cmd/req | ingest non-2xx/errors |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    );
    const cells = [...new Map(matrix.map((p) => [`${p.batch}x${p.concurrency}`, p])).values()];
    for (const { batch, concurrency } of cells) {
      const at = (t) => matrix.filter((p) => p.target === t && p.batch === batch && p.concurrency === concurrency);
      const lps = (t) => median(at(t).map((p) => p.logs_per_sec));
      const i = lps("ingest");
      // Fewer than 4 responses per connection: each request outlasts much of the window, logs/s is a lower bound.
      const few = (t) => at(t).some((p) => p.responses_2xx < 4 * p.concurrency);
      const base = (t) => `${fixed(lps(t))}${few(t) ? "†" : ""} (${fixed(i / lps(t), 2)})`;
      const ing = at("ingest");
      out.push(
        `| ${batch} | ${concurrency} | ${fixed(i)} | ${base("bare")} | ${base("one_command")} | ${base("naive")} | ${fixed(median(ing.map((p) => p.latency_ms.p50)), 1)} / ${fixed(median(ing.map((p) => p.latency_ms.p99)), 1)} | ${fixed(median(ing.map((p) => p.redis.commands_per_request)), 3)} | ${ing.reduce((s, p) => s + p.non_2xx, 0)} / ${ing.reduce((s, p) => s + p.errors, 0)} |`,
      );
    }
    out.push(
      "",
      "† fewer than 4 responses per connection in the window: each request outlasts much of it, so logs/s is a lower bound.",
      "",
    );
    const why = throughputDiagnosis(results);
    if (why)
      out.push(`Where the time goes (batch ${ingest.batch}, concurrency ${ingest.concurrency}):`, "", ...why, "");
  }

  if (results.analysis) {
    const sizes = results.analysis.sizes;
    const f = (n, name) => sizes[String(n)]?.functions?.[name] ?? {};
    const c10 = f(10_000, "correlate_trace");
    const c50 = f(50_000, "correlate_trace");
    add(
      "correlate_trace, 10k entries: time",
      `< ${TARGETS.correlate10kMs} ms`,
      `${fixed(c10.median_ms, 1)} ms (median)`,
      c10.median_ms < TARGETS.correlate10kMs,
    );
    add(
      "correlate_trace, 10k entries: peak heap",
      `< ${TARGETS.correlate10kMb} MB`,
      `${fixed(c10.peak_heap_mb, 1)} MB`,
      c10.peak_heap_mb < TARGETS.correlate10kMb,
    );
    add(
      "correlate_trace, 50k entries: time",
      `< ${TARGETS.correlate50kMs} ms`,
      `${fixed(c50.median_ms, 1)} ms (median)`,
      c50.median_ms < TARGETS.correlate50kMs,
    );
    out.push("## Analysis (core functions, no HTTP)", "");
    out.push(
      "| entries | correlateTrace ms | peak heap MB | correlate_trace tool (+ report) ms | get_trace ms | peak heap MB | readTrace decode ms |",
      "|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const n of Object.keys(sizes)) {
      const c = f(n, "correlate_trace");
      const g = f(n, "get_trace");
      out.push(
        `| ${Number(n).toLocaleString("en-US")} | ${fixed(c.median_ms, 1)} | ${fixed(c.peak_heap_mb, 1)} | ${fixed(f(n, "correlate_trace_tool").median_ms, 1)} | ${fixed(g.median_ms, 1)} | ${fixed(g.peak_heap_mb, 1)} | ${fixed(f(n, "read_trace_decode").median_ms, 1)} |`,
      );
    }
    const m = results.analysis.method;
    out.push("", `Fixture: ${m.fixture}. Functions: ${m.functions}. Times: ${m.time}. Memory: ${m.memory}.`, "");
  }

  if (results.read_path) {
    const rows = results.read_path.sizes;
    const all = rows.flatMap((r) => Object.values(r.tools));
    const largest = Math.max(...all.map((t) => t.largest_reply_mb));
    const biggest = rows.at(-1);
    const rise = Math.max(...Object.values(biggest?.tools ?? {}).map((t) => t.worker_rss_rise_mb));
    const peak = Math.max(...Object.values(biggest?.tools ?? {}).map((t) => t.worker_peak_rss_mb));
    add(
      "read path through /mcp: largest single Redis reply",
      `< ${TARGETS.readReplyMb} MB`,
      `${fixed(largest, 2)} MB`,
      largest < TARGETS.readReplyMb && all.every((t) => !t.is_error),
    );
    add(
      `read path through /mcp, ${biggest?.entries.toLocaleString("en-US")} entries: memory one call adds to workerd`,
      `well under ${TARGETS.readWorkerMb} MB`,
      `${fixed(rise, 0)} MB (peak resident set ${fixed(peak, 0)} MB, wrangler dev's runtime included)`,
      rise < TARGETS.readWorkerMb / 2,
    );
    out.push("## Read path (through /mcp)", "");
    out.push(
      "| entries | tool | ms | Redis commands | largest reply MB | workerd peak RSS MB | rise MB | says what was not read |",
      "|---:|---|---:|---:|---:|---:|---:|---|",
    );
    for (const r of rows)
      for (const [tool, t] of Object.entries(r.tools))
        out.push(
          `| ${r.entries.toLocaleString("en-US")} | ${tool} | ${fixed(t.ms, 0)} | ${t.redis_commands} | ${fixed(t.largest_reply_mb, 2)} | ${fixed(t.worker_peak_rss_mb, 0)} | ${fixed(t.worker_rss_rise_mb, 0)} | ${t.says_what_was_not_read ? "yes" : "no"} |`,
        );
    out.push("", `Method: ${results.read_path.method}.`, "");
  }

  const bc = results.browser_client;
  if (bc)
    out.push(
      "## Browser client",
      "",
      `${bc.output ?? `${bc.minified_bytes} bytes minified, ${bc.min_gzip_bytes} bytes min+gzip`} (${bc.method})`,
      "",
    );

  const head = ["## Targets", "", "| target | goal | measured | |", "|---|---|---|---|"];
  for (const t of targets)
    head.push(`| ${t.name} | ${t.target} | ${t.measured}${t.note ? ` (${t.note})` : ""} | ${verdict(t.met)} |`);
  head.push("");
  out.splice(4, 0, ...head);
  return { text: `${out.join("\n")}\n`, targets };
}

/**
 * Where a headline request's cost goes: CPU time per request by process (medians of the rounds), a figure that
 * other people's load on the machine moves far less than requests/s. Routes that do less are the reference.
 */
function throughputDiagnosis(results) {
  const cpu = results.cpu_us_per_request;
  const routes = [
    ["bare", "bare Worker"],
    ["one_command", "parse + one INCR"],
    ["no_store", "/log without the store"],
    ["ingest", "POST /log"],
  ].filter(([t]) => cpu?.[t]);
  if (routes.length < 4) return null;
  const total = (t) => cpu[t].worker + cpu[t].proxy + cpu[t].redis + cpu[t].node;
  const lines = [
    "| route | Worker (workerd) | wrangler dev proxy (workerd) | redis-server | Node: REST endpoint + autocannon | total |",
    "|---|---:|---:|---:|---:|---:|",
    ...routes.map(
      ([t, name]) =>
        `| ${name} | ${fixed(cpu[t].worker)} | ${fixed(cpu[t].proxy)} | ${fixed(cpu[t].redis)} | ${fixed(cpu[t].node)} | ${fixed(total(t))} |`,
    ),
    "",
    "CPU µs per request, medians of the rounds.",
    "",
  ];
  const d = (k) => cpu.ingest[k] - cpu.one_command[k];
  const lean = (t) => cpu[t].worker + cpu[t].redis + Math.max(0, cpu[t].node - cpu.bare.node);
  const us = (x) => `${x >= 0 ? "+" : ""}${fixed(x)} µs`;
  lines.push(
    `- /log costs ${us(total("ingest") - total("one_command"))} of CPU per request more than parse + one INCR: in the Worker ${us(d("worker"))} (its code without the store costs ${us(cpu.no_store.worker - cpu.bare.worker)} over the bare route: token check, body reading, zod validation, redaction, serialisation; plus Hono's routing, and building and sending the EVALSHA that carries the batch as its raw body), in redis-server ${us(d("redis"))} (the ingest script: ${fixed(results.ingest.redis_usec_per_request)} µs per run by INFO commandstats, ${fixed(results.ingest.redis_inside_script_calls_per_log, 1)} calls per log), in Node ${us(d("node"))} (the local REST endpoint and autocannon: a longer Redis call keeps more requests in flight and less work shares each event-loop turn; the endpoint is a stand-in for Upstash, so not a cost of production), in the proxy ${us(d("proxy"))}.`,
    `- At saturation logs/s follows the inverse of the total: CPU-implied ingest ÷ one-command ${fixed(results.ratios.ingest_vs_one_command_cpu_implied, 2)} (median of the rounds), measured ${fixed(results.ratios.ingest_vs_one_command_logs_per_sec, 2)}. The 0.75 target allows /log ${fixed((total("one_command") * 4) / 3)} µs here.`,
    `- wrangler dev's proxy and the load generator are fixed costs of this local stack that production does not have; they weigh on every route alike and move ratios towards 1. Without them (Worker + redis-server + the REST endpoint's share of Node, i.e. Node minus the bare route's) the ratio is ${fixed(lean("one_command") / lean("ingest"), 2)}; the Worker's CPU alone gives ${fixed(cpu.one_command.worker / cpu.ingest.worker, 2)}.`,
  );
  return lines;
}
