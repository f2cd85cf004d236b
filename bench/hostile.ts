// CPU on hostile input, run by `npm run bench -- --hostile` in a child process (bundled with esbuild first): what
// the Worker does with a request body before it reaches Redis (JSON.parse, normalizeBatch with its bounds and
// redaction, one JSON.stringify per entry), correlate_trace and get_trace on traces full of hostile messages, and
// the search regex guard on hostile patterns. Each hostile case is compared with a benign one of the same size;
// the figure that matters is the ratio. No Worker, no Redis: this is the CPU that input shape can drive.
import { correlateTrace } from "../core/analysis/correlate.js";
import { checkRegex } from "../core/analysis/safe-regex.js";
import { errorRef, normalizeBatch } from "../core/normalize.js";
import { correlate } from "../core/query-correlate-trace.js";
import { getTrace } from "../core/query-get-trace.js";
import type { LogEntry, TraceSummary } from "../core/schema.js";
import type { LogStore } from "../core/store/log-store.js";

const KIB = 1024;
const NOW = Date.UTC(2026, 0, 1);

/** Median milliseconds of `runs` calls (awaited) after two untimed ones. */
async function time(fn: () => unknown, runs: number): Promise<number> {
  await fn();
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** The Worker's CPU for one body before the store call. */
function ingest(text: string): number {
  const batch = normalizeBatch(JSON.parse(text), {
    receivedAt: NOW,
    defaultSystem: "manual",
    rawBody: text,
  });
  let bytes = 0;
  for (const entry of batch.entries) bytes += JSON.stringify(entry).length + errorRef(entry).length;
  return bytes;
}

const repeat = (unit: string, chars: number) => unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
const BENIGN_LINE =
  "GET /api/checkout?order=42 200 in 35 ms, user ann@example.com, cart has 3 items, request_id=req-8f3a1b2c ";

/** A body of about `bytes` as entries of messages built by `message(chars)`, 2 KiB each, one trace. */
function entriesBody(bytes: number, message: (chars: number) => string): string {
  const per = 2 * KIB;
  const entries = Array.from({ length: Math.max(1, Math.floor(bytes / per)) }, (_, i) => ({
    id: `e${i}`,
    trace_id: "bench-trace",
    level: i % 10 === 0 ? "error" : "info",
    message: message(per - 120),
    timestamp: NOW,
  }));
  return JSON.stringify({ sent_at: NOW, batch_id: "b1", entries });
}

/** One entry whose single message is the whole body: the cap-before-redaction case. */
function oneMessageBody(bytes: number, unit: string): string {
  return JSON.stringify({ trace_id: "bench-trace", level: "error", message: repeat(unit, bytes - 80) });
}

const INGEST_CASES: Record<string, (bytes: number) => string> = {
  "benign lines": (b) => entriesBody(b, (n) => repeat(BENIGN_LINE, n)),
  "benign, 500 short entries": (b) =>
    JSON.stringify(
      Array.from({ length: 500 }, (_, i) => ({
        id: `e${i}`,
        trace_id: "bench-trace",
        message: repeat(BENIGN_LINE, b / 500 - 70),
      })),
    ),
  "benign, one long message": (b) => oneMessageBody(b, BENIGN_LINE),
  "slashes, one message": (b) => oneMessageBody(b, "/"),
  "eyJ- runs, one message": (b) => oneMessageBody(b, "eyJ-"),
  slashes: (b) => entriesBody(b, (n) => repeat("/", n)),
  "eyJ- runs": (b) => entriesBody(b, (n) => repeat("eyJ-", n)),
  "password= repeated": (b) => entriesBody(b, (n) => repeat("password=", n)),
  'quoted "secret":" repeated': (b) => entriesBody(b, (n) => repeat('"secret":"', n)),
  "URL-encoded separators": (b) => entriesBody(b, (n) => repeat("%22token%22%3A", n)),
  "query parameters": (b) => entriesBody(b, (n) => repeat("?key=&sig=", n)),
  "digits (card candidates)": (b) => entriesBody(b, (n) => repeat("4242 ", n)),
  "sk- / xoxb- runs": (b) => entriesBody(b, (n) => repeat("sk-xoxb-", n)),
  "context nested 150,000 deep": (b) => {
    const depth = Math.min(150_000, Math.floor(b / 8));
    return `{"trace_id":"bench-trace","message":"deep","context":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;
  },
  "context with many keys": (b) => {
    const keys = Math.floor(b / 16);
    const context = Object.fromEntries(Array.from({ length: keys }, (_, i) => [`password_${i}`, "x"]));
    return JSON.stringify({ trace_id: "bench-trace", message: "wide", context });
  },
  "5,000 client_dropped reasons": (b) => {
    const reasons = Object.fromEntries(Array.from({ length: Math.floor(b / 30) }, (_, i) => [`reason_${i}`, 1]));
    return JSON.stringify({
      sent_at: NOW,
      entries: [{ trace_id: "bench-trace", message: "m" }],
      client_dropped: reasons,
    });
  },
  "500 distinct traces": (b) =>
    JSON.stringify(
      Array.from({ length: 500 }, (_, i) => ({ trace_id: `t-${i}`, message: repeat(BENIGN_LINE, b / 500 - 60) })),
    ),
};

async function ingestFigures(sizes: number[], runs: number) {
  const rows: Array<{ case: string; kib: number; ms: number; us_per_kib: number; ratio: number }> = [];
  for (const bytes of sizes) {
    let benign = 0;
    for (const [name, make] of Object.entries(INGEST_CASES)) {
      const text = make(bytes);
      const ms = await time(() => ingest(text), runs);
      const kib = text.length / KIB;
      const usPerKib = (ms * 1000) / kib;
      if (name === "benign lines") benign = usPerKib;
      rows.push({ case: name, kib: Math.round(kib), ms, us_per_kib: usPerKib, ratio: usPerKib / benign });
    }
  }
  return rows;
}

/** A trace of `n` entries whose messages (and error stacks) are built by `message`. */
function trace(n: number, message: (i: number) => string): { entries: LogEntry[]; summary: TraceSummary } {
  const entries: LogEntry[] = Array.from({ length: n }, (_, i) => ({
    id: `e${i}`,
    trace_id: "bench-trace",
    system: i % 3 === 0 ? "browser" : "convex",
    level: i % 4 === 0 ? "error" : i % 4 === 1 ? "warn" : "info",
    message: message(i),
    ...(i % 4 === 0 ? { stack: message(i) } : {}),
    timestamp: NOW + i * 10,
    received_at: NOW + i * 10 + 5,
  }));
  const summary: TraceSummary = {
    trace_id: "bench-trace",
    first_seen: NOW,
    last_seen: NOW + n * 10,
    count: n,
    error_count: Math.ceil(n / 4),
    by_system: {},
    by_level: {},
    users: [],
    dropped: [],
  };
  return { entries, summary };
}

const MESSAGE_CHARS = 8 * KIB;
const TRACE_CASES: Record<string, (i: number) => string> = {
  benign: (i) => repeat(`${BENIGN_LINE}attempt ${i} failed: timeout `, MESSAGE_CHARS),
  "a.a.a. (url and email prefixes)": () => repeat("a.", MESSAGE_CHARS),
  "a-a-a- (id lookaheads)": () => repeat("a-", MESSAGE_CHARS),
  slashes: () => repeat("/", MESSAGE_CHARS),
  quotes: () => repeat("'\"`", MESSAGE_CHARS),
  "x: (function paths)": () => repeat("a:", MESSAGE_CHARS),
  "request id prefixes": () => repeat("request id ", MESSAGE_CHARS),
  "stack-like lines": () => repeat("\n at a@", MESSAGE_CHARS),
  "[tags]": () => repeat("[", MESSAGE_CHARS),
};

async function analysisFigures(n: number, runs: number) {
  const rows: Array<{ case: string; entries: number; subject: string; ms: number; ratio: number }> = [];
  const benign: Record<string, number> = {};
  for (const [name, message] of Object.entries(TRACE_CASES)) {
    const t = trace(n, message);
    const coverage = { complete: true, elements: t.entries.length, read: t.entries.length, not_read: [] };
    const store = { readTrace: async () => ({ ...t, coverage }) } as unknown as LogStore;
    const subjects: Record<string, () => unknown> = {
      correlateTrace: () => correlateTrace(t.entries, t.summary),
      correlate_trace_tool: () => correlate(store, "bench-trace"),
      get_trace: () => getTrace(store, { trace_id: "bench-trace", limit: 200 }),
    };
    for (const [subject, fn] of Object.entries(subjects)) {
      const ms = await time(fn, runs);
      if (name === "benign") benign[subject] = ms;
      rows.push({ case: name, entries: n, subject, ms, ratio: ms / benign[subject]! });
    }
  }
  return rows;
}

const REGEX_CASES: Array<[string, string, string]> = [
  ["linear (benign)", "status 50[234]", "a"],
  ["\\w{0,9999} x3 then !", "\\w{0,9999}\\w{0,9999}\\w{0,9999}!", "a"],
  ["a.*a.*a.*!", "a.*a.*a.*!", "a"],
  ["\\w+\\s*\\w+x", "\\w+\\s*\\w+x", "a"],
  ["(a|b)c x6", "(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)c", "a"],
];

async function regexFigures(runs: number) {
  const text = "a".repeat(MESSAGE_CHARS);
  const rows: Array<{ case: string; input_chars: number; ms: number; ratio: number }> = [];
  let benign = 0;
  for (const [name, pattern] of REGEX_CASES) {
    const { regex, inputChars } = checkRegex(pattern);
    const input = text.slice(0, inputChars);
    const ms = await time(() => regex.test(input), runs);
    if (!benign) benign = ms;
    rows.push({ case: name, input_chars: inputChars, ms, ratio: ms / benign });
  }
  return rows;
}

const quick = process.argv.includes("--quick");
const result = {
  ingest: await ingestFigures(quick ? [64 * KIB] : [64 * KIB, 1024 * KIB], quick ? 3 : 5),
  analysis: await analysisFigures(quick ? 200 : 1000, quick ? 2 : 3),
  regex: await regexFigures(quick ? 3 : 5),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
