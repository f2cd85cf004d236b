// Number and time formatting shared by summaries, evidence strings and renderings.

/** "850 ms", "4.2 s", "3.1 min". */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** Time relative to the first entry: "+1.234s", "-0.120s". */
export function formatRelative(ms: number): string {
  return `${ms < 0 ? "-" : "+"}${(Math.abs(ms) / 1000).toFixed(3)}s`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? word : many}`;
}

/**
 * Characters that end a line or hide text for some readers although JSON.stringify leaves them raw: NEL, C1
 * controls, line and paragraph separators, zero-width and bidirectional controls, the byte order mark.
 */
const HIDDEN_BREAKS =
  /[\u0080-\u009f\u061c\u180e\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]/g;

/**
 * Log-controlled text made safe to show inside quotes: every line break and invisible control written as a
 * visible `\uXXXX` escape, so no log string can start a line of its own or hide text from its reader.
 * (JSON.stringify already escapes \n, \r, \t and the C0 controls.)
 */
export function safeText(text: string): string {
  return text.replace(HIDDEN_BREAKS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * JSON.stringify with the same characters escaped (`\u2028` ...). They can only occur inside strings there, so the
 * escapes are lossless: the JSON parses to the same value.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(HIDDEN_BREAKS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A value quoted as a JSON string, cut to `max` characters: log content rendered as data. */
export function quote(text: string, max = 120): string {
  return JSON.stringify(safeText(text.length > max ? `${text.slice(0, max)}…` : text));
}

/** Median of a numeric array (sorted copy); 0 when empty. */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Text cut to `max` characters with an explicit marker saying how much was left out. */
export function capText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…[+${text.length - max} chars]` : text;
}
