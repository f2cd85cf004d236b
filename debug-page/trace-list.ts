// The recent traces panel: newest activity first, with entry counts by system, errors and drops. Each trace is a
// button, so Tab and Enter open it; the open one is marked with aria-current.
import type { TraceSummary } from "../core/schema.js";
import type { TracesResponse } from "./api.js";
import { ago, droppedText } from "../core/views/traces.js";
import { byId, h } from "./dom.js";
import { describeError, getJson } from "./http.js";

/** Traces per request; "Load more" follows the cursor. */
const PAGE = 50;
const SINCE_MINUTES = 60;

export class TraceList {
  private readonly list = byId<HTMLUListElement>("trace-list");
  private readonly status = byId("traces-status");
  private readonly more = byId<HTMLButtonElement>("more-traces");
  private readonly onlyErrors = byId<HTMLInputElement>("only-errors");
  private cursor: string | undefined;
  private current: string | undefined;

  constructor(
    private readonly open: (traceId: string) => void,
    private readonly fail: (error: unknown) => boolean,
  ) {
    byId("refresh-traces").addEventListener("click", () => void this.load());
    this.onlyErrors.addEventListener("change", () => void this.load());
    this.more.addEventListener("click", () => void this.load(this.cursor));
  }

  /** First page (or the next one with `cursor`). */
  async load(cursor?: string): Promise<void> {
    const q = new URLSearchParams({ since_minutes: String(SINCE_MINUTES), limit: String(PAGE) });
    if (this.onlyErrors.checked) q.set("has_errors", "true");
    if (cursor) q.set("cursor", cursor);
    this.status.textContent = "Loading traces…";
    this.status.classList.remove("problem");
    try {
      const result = await getJson<TracesResponse>(`traces?${q}`);
      if (!cursor) this.list.replaceChildren();
      const now = Date.now();
      for (const t of result.traces) this.list.append(this.item(t, now));
      this.cursor = result.page.next_cursor;
      this.more.hidden = !this.cursor;
      const shown = this.list.children.length;
      this.status.textContent =
        result.total === 0
          ? `No traces in the last ${SINCE_MINUTES} minutes${this.onlyErrors.checked ? " with errors" : ""}. Clients post to /log.`
          : `${shown} of ${result.total} in the last ${SINCE_MINUTES} minutes, newest first.`;
      this.mark(this.current);
    } catch (error) {
      if (this.fail(error)) return;
      this.status.textContent = `Could not load traces. ${describeError(error)}`;
      this.status.classList.add("problem");
    }
  }

  /** Marks the open trace. */
  mark(traceId: string | undefined): void {
    this.current = traceId;
    for (const button of this.list.querySelectorAll<HTMLButtonElement>("button[data-trace]")) {
      if (button.dataset.trace === traceId) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
  }

  private item(t: TraceSummary, now: number): HTMLLIElement {
    const systems = Object.entries(t.by_system)
      .sort((a, b) => b[1] - a[1])
      .map(([system, n]) => h("span", { class: `sys sys-${system}` }, `${system} ${n}`));
    const dropped = t.dropped.reduce((sum, d) => sum + d.count, 0);
    const button = h(
      "button",
      { type: "button", class: "trace-item", "data-trace": t.trace_id, title: `Open trace ${t.trace_id}` },
      h("span", { class: "trace-id mono" }, t.trace_id),
      h(
        "span",
        { class: "trace-meta" },
        h("span", { class: "muted" }, `${ago(now, t.last_seen)} · ${t.count.toLocaleString("en-US")} entries`),
        t.error_count
          ? h("span", { class: "badge badge-error" }, `${t.error_count} error${t.error_count === 1 ? "" : "s"}`)
          : h("span", { class: "badge badge-ok" }, "no errors"),
        dropped
          ? h("span", { class: "badge badge-warn", title: `dropped: ${droppedText(t.dropped)}` }, `${dropped} dropped`)
          : null,
      ),
      h("span", { class: "trace-systems" }, ...systems),
    );
    button.addEventListener("click", () => this.open(t.trace_id));
    return h("li", {}, button);
  }
}
