// What the page shows, kept in the URL so a view can be shared: /debug/?trace=<id>&systems=browser&levels=error
// (`trace` is the parameter the demo page links with).
import type { Level, System } from "../core/schema.js";

// core/schema.ts holds these lists as zod enums; importing it would bundle zod into the page. The checks below
// fail the type check if the lists here and there ever disagree.
export const SYSTEMS = ["browser", "convex", "worker", "manual"] as const satisfies readonly System[];
export const LEVELS = ["debug", "log", "info", "warn", "error"] as const satisfies readonly Level[];
type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : never;
const _allSystems: Missing<System, (typeof SYSTEMS)[number]> = true;
const _allLevels: Missing<Level, (typeof LEVELS)[number]> = true;

export interface ViewState {
  trace?: string;
  /** Systems shown; undefined means all. */
  systems?: System[];
  /** Levels shown; undefined means all. */
  levels?: Level[];
  text?: string;
  /** Corrected time (ms since epoch) the timeline starts at; set by "show from the root cause". */
  since?: number;
}

export function readUrl(search = location.search): ViewState {
  const q = new URLSearchParams(search);
  const state: ViewState = {};
  const trace = q.get("trace")?.trim();
  if (trace) state.trace = trace;
  const systems = listOf(q.get("systems"), SYSTEMS);
  if (systems) state.systems = systems;
  const levels = listOf(q.get("levels"), LEVELS);
  if (levels) state.levels = levels;
  const text = q.get("text");
  if (text) state.text = text;
  const since = Number(q.get("since"));
  if (q.get("since") && Number.isFinite(since)) state.since = since;
  return state;
}

/** The query string for a state, also used for the API's filter parameters (without `trace`). */
export function toQuery(state: ViewState, withTrace = true): URLSearchParams {
  const q = new URLSearchParams();
  if (withTrace && state.trace) q.set("trace", state.trace);
  if (state.systems) q.set("systems", state.systems.join(","));
  if (state.levels) q.set("levels", state.levels.join(","));
  if (state.text) q.set("text", state.text);
  if (state.since !== undefined) q.set("since", String(state.since));
  return q;
}

/** Puts the state in the address bar: a new history entry when the trace changes, a replacement otherwise. */
export function writeUrl(state: ViewState, newEntry: boolean): void {
  const query = toQuery(state).toString();
  const url = `${location.pathname}${query ? `?${query}` : ""}`;
  if (url === `${location.pathname}${location.search}`) return;
  if (newEntry) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

function listOf<T extends string>(value: string | null, allowed: readonly T[]): T[] | undefined {
  if (value === null) return undefined;
  const items = value.split(",").filter((v): v is T => (allowed as readonly string[]).includes(v));
  return items;
}
