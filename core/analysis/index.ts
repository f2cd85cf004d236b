// The trace analysis behind get_trace, list_errors, correlate_trace, search_logs and the debug page:
// pure functions over stored entries, no I/O. Fixtures live in ./fixtures.ts (tests and benchmarks only).
export * from "./limits.js";
export { correctClockSkew, type SkewCorrection, type SkewMethod, type StreamSkew, type SystemSkew } from "./skew.js";
export { buildTimeline, lowerBound, type Gap, type Hop, type Timeline, type TimelineEntry } from "./timeline.js";
export { fnv1a64, shortHash } from "./hash.js";
export { parseFrame, parseStack, topFrames, frameKey, type StackFrame } from "./stack.js";
export {
  errorType,
  fingerprint,
  groupErrors,
  messageText,
  normaliseMessage,
  type ErrorGroup,
  type Fingerprint,
  type GroupOptions,
} from "./fingerprint.js";
export { coreText, extractIdentifiers, isFailure, isRetryLike, isSuspect, type IdentifierKind } from "./signals.js";
export { isNoise, noiseReason } from "./noise.js";
export { buildGraph, groupChains, type ChainDetail, type ErrorChain, type Graph } from "./chains.js";
export type { Link, Signal, Strength } from "./evidence.js";
export { findRetryStorms, type RetryStorm } from "./retry.js";
export { traceWarnings } from "./warnings.js";
export {
  correlateTrace,
  type Alternative,
  type BenignJudgement,
  type CauseStep,
  type Confidence,
  type Correlation,
  type CorrelationStats,
  type FailureDetail,
  type RootCause,
  type TimelineLine,
} from "./correlate.js";
export { answerChars, budgetChars, estimateTokens, resolveBudget, Room, sizeOf } from "./budget.js";
export { compileFilter, EntryFilterSchema, filterTimeline, type EntryFilter } from "./filter.js";
export { checkRegex, type SafeRegex } from "./safe-regex.js";
export { decodeCursor, encodeCursor } from "./cursor.js";
export { capText, formatDuration, formatRelative, quote, safeJson, safeText } from "./format.js";
