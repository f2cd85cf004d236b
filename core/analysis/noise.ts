// Lines that look alarming and never explain a failure: deprecation notices, Chrome's [Violation]
// reports, development tooling chatter and React's development warnings (printed with console.error).
// They are never failures, never causes, and are listed as benign with the reason.
import type { LogEntry } from "../schema.js";

interface NoiseRule {
  test: RegExp;
  reason: string;
  /** Only at these levels (default: any of info, warn, error). */
  warnOnly?: boolean;
}

// Tested against the first NOISE_TEXT_CHARS characters; every pattern is anchored or literal, so one test
// is linear in that prefix.
const NOISE_TEXT_CHARS = 300;

const RULES: readonly NoiseRule[] = [
  {
    test: /\bDeprecationWarning\b|\[DEP\d{4}\]/,
    reason: "a deprecation notice: printed on every call, it changes nothing at run time",
  },
  {
    // At error level "X is deprecated" may be the failure itself (an API that was removed).
    test: /\bis deprecated\b|\bdeprecated (?:API|and will be removed)|\bdeprecation notice\b/i,
    reason: "a deprecation notice: printed on every call, it changes nothing at run time",
    warnOnly: true,
  },
  {
    test: /^\s*\[Violation\]/,
    reason: "a Chrome [Violation] performance notice (a slow handler), not an error",
  },
  {
    // React 16-18 development warnings start with "Warning: " and go through console.error. Text and
    // hydration mismatches are real bugs and stay failures.
    test: /^\s*Warning: (?!Text content did not match|Did not expect server HTML|Expected server HTML|An error occurred during hydration)/,
    reason: "a React development warning printed at error level; it does not stop rendering",
  },
  {
    // React 19's attribute-only hydration notice ("This won't be patched up"), which browser extensions
    // such as Grammarly cause by adding attributes to <body>.
    test: /^\s*A tree hydrated but some attributes of the server rendered HTML didn't match|^\s*Warning: Extra attributes from the server/,
    reason:
      "React's attribute-mismatch hydration notice, typically caused by a browser extension editing the page; React keeps the tree",
  },
  {
    test: /^\s*(?:\[vite\]|\[HMR\]|\[Fast Refresh\]|\[webpack-dev-server\])|^\s*Download the (?:React|Vue|Apollo) DevTools|DevTools failed to load source map|^\s*⚠️? ?React Router Future Flag Warning|^\s*Lit is in dev mode/i,
    reason: "development tooling chatter (hot reload, DevTools, framework upgrade hints)",
  },
  {
    test: /^\s*ResizeObserver loop (?:completed with undelivered notifications|limit exceeded)/,
    reason: "a ResizeObserver loop notice: the browser defers a layout pass, nothing fails",
  },
  {
    test: /\bfavicon\.ico\b|net::ERR_BLOCKED_BY_CLIENT/,
    reason: "a resource the page does not need (favicon, or blocked by an ad blocker)",
  },
];

/** Every rule in one pass per flag set: most lines match none, and then one test per set decides. */
const ANY = [false, true].map(
  (insensitive) =>
    new RegExp(
      RULES.filter((r) => r.test.flags.includes("i") === insensitive)
        .map((r) => `(?:${r.test.source})`)
        .join("|"),
      insensitive ? "i" : "",
    ),
);

/** Why the entry is noise, or undefined when it may matter. */
export function noiseReason(entry: Pick<LogEntry, "level" | "message">): string | undefined {
  if (entry.level !== "warn" && entry.level !== "error" && entry.level !== "info") return undefined;
  const text = entry.message.slice(0, NOISE_TEXT_CHARS);
  if (!ANY.some((r) => r.test(text))) return undefined;
  for (const rule of RULES) {
    if (rule.warnOnly && entry.level === "error") continue;
    if (rule.test.test(text)) return rule.reason;
  }
  return undefined;
}

export function isNoise(entry: Pick<LogEntry, "level" | "message">): boolean {
  return noiseReason(entry) !== undefined;
}
