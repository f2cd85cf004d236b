// The incident corpus: realistic traces, each with the root cause a senior engineer would name (or none),
// written before the ranking rules were tuned. incidents.test.ts asserts every expectation.
import type { LogEntry } from "../../schema.js";

export interface Incident {
  /** Unique, kebab-case. */
  name: string;
  /** Which pattern of the root-cause rules it exercises. */
  pattern: string;
  /** What happened, as the engineer reading the trace would say it. */
  story: string;
  entries: LogEntry[];
  expect: {
    /** The root cause entry id, or null for a trace without a failure that affected the user. */
    root: string | null;
    /** Text the root cause's message must carry (whole-message checks). */
    rootMessageContains?: string[];
    /** Entries the analysis must judge benign (listed with a reason). */
    benign?: string[];
    /** Roots of chains that must still be listed besides the main one. */
    otherChainRoots?: string[];
    /** Pairs [cause, effect] that corrected time must keep in this order. */
    order?: Array<[string, string]>;
    /** Hops [from id, to id] that must be drawn, and ones that must not. */
    hops?: Array<[string, string]>;
    noHops?: Array<[string, string]>;
    /** Ids that must not share a chain. */
    separate?: Array<[string, string]>;
    /** A retry storm of this many repeats must be named. */
    stormCount?: number;
  };
}
