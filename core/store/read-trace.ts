// Reading one trace within bounds, with the read script (scripts.ts): whole when it fits one page, otherwise its
// start, the entries around its latest errors and warnings, and its end (read-plan.ts), saying what was not read.
import { READ_MAX_BYTES, READ_MAX_PAGES, READ_NOTABLE_MAX, READ_PAGE_BYTES } from "../limits.js";
import { byName, READ_REPLY } from "./layout.js";
import type { ReadOptions, StoredTrace } from "./log-store.js";
import { parseMeta } from "./meta.js";
import { describeCoverage, parseNotable, parseStoredEntries, planWindows, type Range } from "./read-plan.js";

/** `run` runs the read script on the trace's keys with these arguments (one Redis command). */
export async function readBounded(
  run: (args: string[]) => Promise<unknown>,
  traceId: string,
  options: ReadOptions,
): Promise<StoredTrace | null> {
  const maxPages = Math.max(1, options.maxPages ?? READ_MAX_PAGES);
  let budget = Math.max(1, options.maxBytes ?? READ_MAX_BYTES);
  const raw = new Map<number, string>();
  let last = -1;
  const read = async (notableMax: number, ranges: Range[], share = 1) => {
    const page = Math.min(READ_PAGE_BYTES, Math.floor(budget * share));
    const reply = byName(READ_REPLY, await run([page, notableMax, ...ranges.flat()].map(String)));
    const segments = (reply.segments as unknown[] | undefined) ?? [];
    for (let i = 0; i + 1 < segments.length; i += 2) {
      const start = Number(segments[i]);
      (segments[i + 1] as string[]).forEach((item, k) => {
        raw.set(start + k, item);
        last = Math.max(last, start + k);
        budget -= item.length;
      });
    }
    return reply;
  };
  const { window } = options;
  const asked: Range = window
    ? [Math.max(0, Math.floor(window.from)), Math.max(0, Math.floor(window.from)) + Math.max(1, window.count) - 1]
    : [0, -1];
  // The first page reads from the start; when more pages may follow, it leaves them half the budget at least.
  const first = await read(window ? 0 : READ_NOTABLE_MAX, [asked], maxPages > 1 && !window ? 0.5 : 1);
  const meta = first.meta as string[] | undefined;
  if (!meta || meta.length === 0) return null;
  const length = Number(first.length ?? 0);
  let pages = 1;
  let complete = Number(first.complete) === 1;
  while (window && !complete && pages < maxPages && budget > 0) {
    // The rest of the window, page by page.
    complete = Number((await read(0, [[Math.max(last + 1, asked[0]), asked[1]]])).complete) === 1;
    pages++;
  }
  if (!complete && !window) {
    const notable = parseNotable((first.notable as unknown[] | undefined) ?? []);
    const positions = new Set(raw.keys());
    let plan = planWindows(length, notable, positions);
    while (plan.length > 0 && pages < maxPages && budget > 0) {
      const reply = await read(0, plan);
      pages++;
      if (Number(reply.complete) === 1) break;
      plan = planWindows(length, notable, new Set(raw.keys()));
    }
  }
  const positions = [...raw.keys()].sort((a, b) => a - b);
  const entries = parseStoredEntries(positions.map((p) => raw.get(p)));
  return {
    entries,
    summary: parseMeta(traceId, meta, Number(first.ttl)),
    coverage: describeCoverage(
      length,
      new Set(positions),
      window ? { from: asked[0], to: Math.min(asked[1], length - 1) } : undefined,
      `more than one read holds: ${mib(options.maxBytes ?? READ_MAX_BYTES)} in ${maxPages} pages`,
    ),
  };
}

function mib(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
}
