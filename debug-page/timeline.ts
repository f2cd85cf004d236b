// One page of the corrected timeline: a lane per system, relative times, repeats folded ("x12"), failures of
// an error chain and the root cause marked. Rows expand to the full stored entry. One Tab stop for the whole
// list; arrow keys move between rows and Enter expands one.
import { formatRelative } from "../core/analysis/format.js";
import type { EntryRow } from "../core/views/schema.js";
import type { CorrelationResponse, EntryResponse } from "./api.js";
import { fill, h, type Child } from "./dom.js";
import { describeError, getJson } from "./http.js";

/** A row of the API page: one entry, or consecutive identical ones that the API folded (count, last_id). */
export interface Run {
  first: EntryRow;
  /** Entries in the run. */
  count: number;
  /** The first and the last entry id. */
  ids: string[];
}

export interface Marks {
  rootId: string | undefined;
  /** Entry id -> 1-based chain number. */
  chainOf: Map<string, number>;
  /** Chain number -> "convex -> browser". */
  propagation: Map<number, string>;
}

export function marksOf(correlation: CorrelationResponse | undefined): Marks {
  const chainOf = new Map<string, number>();
  const propagation = new Map<number, string>();
  correlation?.error_chains.forEach((chain, i) => {
    for (const id of chain.errors) if (!chainOf.has(id)) chainOf.set(id, i + 1);
    propagation.set(i + 1, chain.propagation.join(", "));
  });
  return { rootId: correlation?.root_cause?.id, chainOf, propagation };
}

export function fold(entries: readonly EntryRow[]): Run[] {
  return entries.map((e) => ({ first: e, count: e.count ?? 1, ids: e.last_id ? [e.id, e.last_id] : [e.id] }));
}

export function renderTimeline(
  traceId: string,
  entries: readonly EntryRow[],
  lanes: readonly string[],
  marks: Marks,
): HTMLOListElement {
  const list = h("ol", { class: "timeline", "aria-label": "Entries in corrected time order" });
  list.style.setProperty("--lanes", String(lanes.length));
  fold(entries).forEach((run, i) => list.append(row(traceId, run, lanes, marks, i === 0)));
  list.addEventListener("keydown", (event) => moveFocus(list, event));
  return list;
}

function row(traceId: string, run: Run, lanes: readonly string[], marks: Marks, first: boolean): HTMLLIElement {
  const e = run.first;
  const { count } = run;
  const isRoot = run.ids.includes(marks.rootId ?? "");
  const chain = run.ids.map((id) => marks.chainOf.get(id)).find((n) => n !== undefined);
  const badges: Child[] = [
    count > 1
      ? h("span", { class: "badge badge-repeat", title: `${count} identical entries in a row` }, `x${count}`)
      : null,
    chain
      ? h(
          "span",
          {
            class: "badge badge-chain",
            title: `Error chain ${chain}: ${marks.propagation.get(chain) || "one system"}`,
          },
          `chain ${chain}`,
        )
      : null,
    isRoot ? h("span", { class: "badge badge-root" }, "root cause") : null,
    e.stack ? h("span", { class: "badge badge-stack", title: "Has a stack: expand the row" }, "stack") : null,
  ];
  const button = h(
    "button",
    { type: "button", class: "row-main", "aria-expanded": "false", tabindex: first ? 0 : -1, "data-id": e.id },
    h("span", { class: "t mono" }, formatRelative(e.rel_ms)),
    h(
      "span",
      { class: "lanes", "aria-hidden": "true" },
      ...lanes.map((s) => h("span", { class: s === e.system ? `lane on sys-${s}` : "lane" })),
    ),
    h("span", { class: `sys-label sys-${e.system}` }, e.system),
    h("span", { class: `lvl lvl-${e.level}` }, e.level),
    h(
      "span",
      { class: "msg-cell" },
      h("span", { class: "msg" }, e.message),
      count > 1 ? h("span", { class: "muted until" }, ` until ${formatRelative(e.last_rel_ms ?? e.rel_ms)}`) : null,
    ),
    h("span", { class: "marks" }, ...badges),
  );
  const details = h("div", { class: "details", hidden: true });
  const li = h(
    "li",
    { class: `row lvl-row-${e.level}${isRoot ? " is-root" : ""}${chain ? " in-chain" : ""}`, "data-id": e.id },
    button,
    details,
  );
  button.addEventListener("click", () => void toggle(traceId, run, button, details));
  return li;
}

async function toggle(traceId: string, run: Run, button: HTMLButtonElement, details: HTMLElement): Promise<void> {
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  details.hidden = !open;
  if (!open || details.dataset.loaded) return;
  details.dataset.loaded = "1";
  fill(
    details,
    ...(run.first.stack ? [h("pre", { class: "stack" }, run.first.stack.join("\n"))] : []),
    h("p", { class: "muted" }, "Loading the full entry…"),
  );
  try {
    const { entry } = await getJson<EntryResponse>(
      `traces/${encodeURIComponent(traceId)}/entries/${encodeURIComponent(run.first.id)}`,
    );
    const fields: Array<[string, Child]> = [
      ["entry id", entry.id],
      ["source", entry.source],
      ["user", entry.user_id],
      ["span", entry.span_id],
      ["url", entry.url],
      [
        "sender clock",
        `${new Date(entry.timestamp).toISOString()}${entry.clock_offset_ms !== undefined ? ` (offset ${entry.clock_offset_ms} ms to the server clock)` : ""}`,
      ],
      ["received", new Date(entry.received_at).toISOString()],
      ["truncated", entry.truncated?.join(", ")],
      [
        "repeats",
        run.count > 1
          ? `${run.count} entries from ${formatRelative(run.first.rel_ms)} to ${formatRelative(run.first.last_rel_ms ?? run.first.rel_ms)}`
          : undefined,
      ],
    ];
    fill(
      details,
      entry.message !== run.first.message ? h("p", { class: "full-message" }, entry.message) : null,
      entry.stack ? h("pre", { class: "stack" }, entry.stack) : null,
      h(
        "dl",
        { class: "fields" },
        ...fields.filter(([, v]) => v !== undefined && v !== "").flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
      ),
      entry.context ? h("pre", { class: "context" }, JSON.stringify(entry.context, null, 2)) : null,
    );
  } catch (error) {
    delete details.dataset.loaded;
    fill(details, h("p", { class: "form-error" }, `Could not load the entry: ${describeError(error)}`));
  }
}

function moveFocus(list: HTMLElement, event: KeyboardEvent): void {
  const buttons = [...list.querySelectorAll<HTMLButtonElement>("button.row-main")];
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  if (at < 0) return;
  const to = {
    ArrowDown: at + 1,
    ArrowUp: at - 1,
    Home: 0,
    End: buttons.length - 1,
    PageDown: at + 20,
    PageUp: at - 20,
  }[event.key];
  if (to === undefined) return;
  event.preventDefault();
  const next = buttons[Math.max(0, Math.min(buttons.length - 1, to))]!;
  buttons[at]!.tabIndex = -1;
  next.tabIndex = 0;
  next.focus();
}
