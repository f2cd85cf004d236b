// What looked alarming and why it was judged benign: noise (deprecations, violations, React development
// warnings), attempts that recovered, limit warnings under the limit, connections the client re-opened,
// warnings no failure followed. A healthy verdict names them so the agent does not chase them.
import type { Level, System } from "../schema.js";
import type { Signal } from "./evidence.js";
import { normaliseMessage } from "./fingerprint.js";
import { capText, formatRelative, quote } from "./format.js";
import { BENIGN_MAX, FINGERPRINT_MESSAGE_CHARS } from "./limits.js";
import { noiseReason } from "./noise.js";
import { isFailure, isSuccess } from "./signals.js";
import type { Timeline } from "./timeline.js";

export interface BenignJudgement {
  /** The first occurrence; ids lists up to 5, count all. */
  id: string;
  ids: string[];
  count: number;
  system: System;
  level: Level;
  /** Capped; untrusted log content. */
  message: string;
  reason: string;
}

const LIMIT = /\b(?:many|approaching|close to|near(?:ing)?)\b.{0,80}\blimit\b/i;
const ACTUAL_LIMIT = /actual: (\d[\d,.]*)(?: \w+)?, limit: (\d[\d,.]*)/i;
const CONNECTION = /\bweb ?socket\b|\bconnection (?:lost|closed|dropped)\b|\breconnect/i;
/** Entries scanned after a connection warning for the line that shows it re-established. */
const RECONNECT_SCAN = 200;

/**
 * Warn and error lines outside every chain, grouped by system and normalised message, with the reason
 * each is harmless; `inChains` holds timeline positions of chain members. Returns the groups (at most
 * BENIGN_MAX) and how many there were.
 */
export function benignJudgements(
  timeline: Timeline,
  signals: readonly Signal[],
  inChains: ReadonlySet<number>,
): { judgements: BenignJudgement[]; total: number } {
  const recovered = new Map<number, string>();
  for (const s of signals) if (s.recoveredBy !== undefined) recovered.set(s.pos, s.recoveredBy);
  const groups = new Map<string, BenignJudgement & { rank: number }>();
  const items = timeline.entries;
  items.forEach((item, pos) => {
    const e = item.entry;
    if ((e.level !== "warn" && e.level !== "error") || inChains.has(pos)) return;
    // A failure is never benign unless it recovered (failures past the chain cap are not in a chain).
    if (!recovered.has(pos) && isFailure(e)) return;
    const reason = judge(timeline, pos, recovered.get(pos));
    if (!reason) return;
    const key = `${e.system} ${normaliseMessage(e.message)}`;
    const g = groups.get(key);
    if (g) {
      g.count++;
      if (g.ids.length < 5) g.ids.push(e.id);
      return;
    }
    groups.set(key, {
      id: e.id,
      ids: [e.id],
      count: 1,
      system: e.system,
      level: e.level,
      message: capText(e.message, 300),
      reason: reason.text,
      rank: reason.rank,
    });
  });
  const all = [...groups.values()].sort((a, b) => b.rank - a.rank || b.count - a.count);
  return { judgements: all.slice(0, BENIGN_MAX).map(({ rank: _rank, ...j }) => j), total: all.length };
}

function judge(
  timeline: Timeline,
  pos: number,
  recoveredBy: string | undefined,
): { text: string; rank: number } | undefined {
  const item = timeline.entries[pos]!;
  const e = item.entry;
  const noise = noiseReason(e);
  if (noise) return { text: noise, rank: e.level === "error" ? 2 : 1 };
  if (recoveredBy !== undefined) {
    const by = timeline.entries.find((x) => x.entry.id === recoveredBy);
    const what = by ? ` at ${formatRelative(by.rel_ms)} ${quote(by.entry.message, 100)}` : "";
    return { text: `an attempt that recovered: the same operation succeeded${what} [${recoveredBy}]`, rank: 4 };
  }
  const text = e.message.slice(0, FINGERPRINT_MESSAGE_CHARS);
  if (LIMIT.test(text)) {
    const m = ACTUAL_LIMIT.exec(text);
    const figures = m ? ` (actual ${m[1]}, limit ${m[2]})` : "";
    return { text: `a warning that a limit is near, not exceeded${figures}; nothing failed because of it`, rank: 3 };
  }
  if (CONNECTION.test(text)) {
    const items = timeline.entries;
    for (let k = pos + 1; k < items.length && k <= pos + RECONNECT_SCAN; k++) {
      const n = items[k]!.entry;
      if (n.system === e.system && isSuccess(n) && CONNECTION.test(n.message.slice(0, FINGERPRINT_MESSAGE_CHARS)))
        return {
          text: `a dropped connection the client re-established at ${formatRelative(items[k]!.rel_ms)} ${quote(n.message, 80)} [${n.id}]`,
          rank: 3,
        };
    }
  }
  return { text: "a warning no failure the user saw is tied to", rank: 0 };
}
