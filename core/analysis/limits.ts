// Limits and thresholds of the trace analysis, in one place so tools and tests agree on them.

/** Clock disagreement a server system (convex, worker) may show before we correct it, ms. Below it the
 * measured offset is network latency, and server clocks are NTP-synced, so they stay the reference. */
export const SERVER_SKEW_TOLERANCE_MS = 2_000;
/** Sources of one system and trace whose offsets agree within this share one clock estimate, ms. */
export const SAME_CLOCK_TOLERANCE_MS = 1_000;
/** Offset samples further than this below a stream's median are treated as clock jumps, not latency, ms. */
export const SKEW_OUTLIER_MS = 30_000;
/** Skew below this is reported as "matches the server clock", ms. */
export const SKEW_NEGLIGIBLE_MS = 100;

/** A silence is notable only when longer than this, ms. */
export const GAP_MIN_MS = 2_000;
/** ...and longer than this many times the trace's median spacing between entries. */
export const GAP_MEDIAN_FACTOR = 10;

/** Characters of a message used for fingerprints and message comparisons. */
export const FINGERPRINT_MESSAGE_CHARS = 500;
/** In-app stack frames that make up a fingerprint. */
export const FINGERPRINT_FRAMES = 3;
/** Stack lines parsed per entry; frames further down never matter for grouping or display. */
export const STACK_LINES_PARSED = 60;
/** Trace ids listed per error group (the total is always given). */
export const GROUP_TRACE_IDS_MAX = 10;

/** Failures this close are linked when they share an identifier, a URL or message text, ms; attempts of a
 * retried operation link to its final failure over twice this. */
export const CHAIN_WINDOW_MS = 30_000;
/** Entries this close sharing only a 4xx/5xx status are weakly linked, ms. */
export const STATUS_LINK_MS = 5_000;
/** Failures of one kind (authentication, network, timeout, rate limit...) this close are weakly linked, ms. */
export const TOPIC_LINK_MS = 10_000;
/** Consecutive failures of one system, nothing of that system between them, this close: weakly linked, ms. */
export const SEQUENCE_LINK_MS = 1_000;
/** A server failure may sort up to this much after the browser line quoting it (clock uncertainty), ms. */
export const CAUSE_INVERSION_MS = 2_000;
/** How long after a failed attempt a success of the same operation counts as its recovery, ms. */
export const RECOVERY_WINDOW_MS = 60_000;
/** Entries scanned after a failed attempt for its recovery. */
export const RECOVERY_SCAN_MAX = 500;
/** Root-cause walk: signals visited from the failure the user saw (bounds a storm of linked errors). */
export const CAUSE_WALK_MAX = 2_000;
/** Steps kept in a root cause's path (repeats of one failure fold into one step; the middle is cut). */
export const PATH_STEPS_MAX = 12;
/** Alternatives listed beside a root cause. */
export const ALTERNATIVES_MAX = 4;
/** Failures an unlinked alternative may precede what the user saw by, ms. */
export const UNLINKED_NEARBY_MS = 5_000;
/** Stack lines kept with a root cause or failure: the top of the stack as stored. */
export const CAUSE_STACK_LINES = 8;
/** Distinct failures carried with their whole message in a correlation. */
export const FAILURES_DETAIL_MAX = 12;
/** Benign judgements (alarming lines judged harmless) listed per correlation. */
export const BENIGN_MAX = 10;
/** Hops: entries of another system looked back at for shared evidence, and how far back, ms. */
export const HOP_LOOKBACK = 8;
export const HOP_WINDOW_MS = 5_000;
/** A browser line that mentions a request id a server logged is a request (before it) or a response
 * (after it) by its wording; corrected order keeps at least this much between them, ms. */
export const CAUSAL_MARGIN_MS = 1;
/** When request/response pairs bound a client clock from both sides within this, its offset is set to the
 * middle of the bounds, ms; looser bounds only clamp it. */
export const CAUSAL_TIGHT_MS = 1_000;
/** Earlier failures compared with each failure when linking (bounds error storms to linear time). */
export const CHAIN_LINK_CANDIDATES = 24;
/** Failures linked into chains per trace, earliest first; the rest are counted in a warning. */
export const CHAIN_FAILURES_MAX = 10_000;
/** Identifiers extracted per entry for linking. */
export const IDENTIFIERS_PER_ENTRY = 16;
/** Chains returned by correlateTrace (the total is in stats). */
export const CHAINS_MAX = 10;
/** Error ids listed per chain (the count is always given). */
export const CHAIN_IDS_MAX = 25;
/** Evidence strings kept per chain or root cause. */
export const EVIDENCE_MAX = 10;

/** A failing message repeated at least this often before a failure is a storm of repeats... */
export const RETRY_STORM_MIN_REPEATS = 4;
/** ...and a message that says it is retrying, this often (three attempts that all failed is a storm). */
export const RETRY_STORM_MIN_ATTEMPTS = 3;
/** How far before a chain's last failure retry storms are looked for, ms. */
export const RETRY_STORM_LOOKBACK_MS = 120_000;
/** Entries scanned for retry storms per chain, newest first. */
export const RETRY_STORM_SCAN_MAX = 5_000;

/** Timeline entries included in a correlation report. */
export const CORRELATE_TIMELINE_MAX = 60;
/** Entries shown right before the root cause in a correlation report's timeline. */
export const CORRELATE_CONTEXT_BEFORE = 8;
/** Hops and gaps included in a correlation report (totals are in stats). */
export const CORRELATE_HOPS_MAX = 40;
export const CORRELATE_GAPS_MAX = 15;

/** Longest message rendered per line, characters; longer ones end with an explicit marker. */
export const RENDER_MESSAGE_CHARS = 500;
/** Longest message of a routine (non-failure) entry in an answer, characters; failures are shown whole. */
export const ROUTINE_MESSAGE_CHARS = 300;
/** Longest message of a failure listed as outside the page, characters (its own page shows it whole). */
export const ELSEWHERE_MESSAGE_CHARS = 160;
/** Distinct failures listed as outside a get_trace page (the count is always given). */
export const ELSEWHERE_ROWS_MAX = 12;
/** Entries shown before the one named by get_trace's `around`. */
export const AROUND_CONTEXT_ENTRIES = 5;
/** Longest stack frame line in an answer, characters. */
export const RENDER_FRAME_CHARS = 300;
/** Warnings, users and drop reasons listed per answer or trace at most (counts of the rest are given). */
export const ANSWER_LIST_MAX = 8;
/** Longest warning, user id or drop reason in an answer, characters. */
export const ANSWER_LABEL_CHARS = 200;
/**
 * Largest answer, characters, whatever the token budget: Claude Code gives its model only the JSON of a
 * result's structured content, and above 50,000 characters it shows a 2 KB preview instead.
 */
export const ANSWER_MAX_CHARS = 45_000;
/** Largest JSON API answer, characters (people page through the debug page; no model reads it). */
export const API_ANSWER_MAX_CHARS = 4_000_000;
/** Entry ids remembered in a since token for the millisecond it ends at (more: the whole millisecond is "seen"). */
export const SINCE_IDS_MAX = 24;
/** Stack lines rendered per entry (top in-app frames); the rest are counted. */
export const RENDER_STACK_LINES = 5;
/** Rough characters per token for budgeting (English text and code average about 4). */
export const CHARS_PER_TOKEN = 4;
/** Default output budget of a rendered page, tokens. */
export const DEFAULT_TOKEN_BUDGET = 8_000;
/** Smallest budget honoured, tokens: enough for a header and a few entries with stacks. */
export const MIN_TOKEN_BUDGET = 500;
/** Largest budget a caller may ask for, tokens; MCP clients start truncating around 25k. */
export const MAX_TOKEN_BUDGET = 20_000;

/** Longest accepted search regex, characters. */
export const REGEX_MAX_CHARS = 200;
/** Unbounded quantifiers (*, +, {n,}) allowed in a search regex, after a leading or trailing `.*` is dropped. */
export const REGEX_MAX_UNBOUNDED = 3;
/**
 * Characters of a message (and of a stack) tested against a search regex, by its number of unbounded
 * quantifiers. Worst-case backtracking grows as n^(k+1); these keep one test near 5 ms on hostile text.
 */
export const REGEX_INPUT_CHARS: readonly number[] = [8_192, 2_000, 300, 80];
/**
 * Estimated steps one regex test may take: start positions times the repeat counts of every quantifier and the
 * alternatives of every group (see safe-regex.ts). Fits every pattern the table above allows; a text too short to
 * fit it is cut further.
 */
export const REGEX_WORK_MAX = 1.5e8;
/** Shortest text a search regex must be able to see; a pattern whose work does not fit even this is refused. */
export const REGEX_MIN_INPUT_CHARS = 64;
