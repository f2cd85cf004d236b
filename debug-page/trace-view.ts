// The open trace: header with counts and the JSON export, the analysis, filters kept in the URL, and the
// timeline one API page at a time (PAGE_SIZE entries, by cursor), so a 10,000-entry trace stays quick.
import { formatDuration } from "../core/analysis/format.js";
import type { System } from "../core/schema.js";
import { countsText, droppedText } from "../core/views/traces.js";
import type { CorrelationResponse, TraceResponse } from "./api.js";
import { renderAnalysis, warnings } from "./analysis.js";
import { byId, fill, h } from "./dom.js";
import { ApiError, describeError, getBlob, getJson } from "./http.js";
import { renderFilters, type Filters } from "./filters.js";
import { marksOf, renderTimeline, type Marks } from "./timeline.js";
import { SYSTEMS, toQuery, writeUrl, type ViewState } from "./view-state.js";

/** Entries per page of the timeline. */
export const PAGE_SIZE = 500;
/** Entries shown before the root cause by "show from the root cause" (the analysis keeps them in its timeline). */
const ROOT_CONTEXT_ENTRIES = 8;

export interface TraceViewHooks {
  /** Wrong token or store outage: the page-wide handling. Returns true when it took care of the error. */
  fail(error: unknown): boolean;
}

export class TraceView {
  private readonly root = byId("trace-view");
  private state: ViewState = {};
  /** Bumped on every load, so a late answer for an older view is dropped. */
  private generation = 0;
  /** Cursor of each page seen so far (undefined for the first). */
  private cursors: Array<string | undefined> = [undefined];
  private pageIndex = 0;
  private marks: Marks = marksOf(undefined);
  private lanes: System[] = [];
  private start = 0;
  private levelCounts: Record<string, number> = {};
  private entries = h("div", { class: "entries" });
  private pagers: HTMLElement[] = [];

  constructor(private readonly hooks: TraceViewHooks) {}

  get traceId(): string | undefined {
    return this.state.trace;
  }

  /** Shows a view: everything is reloaded when the trace changes, only the entries when filters do. */
  async show(state: ViewState, focus = false): Promise<void> {
    if (state.trace && state.trace === this.state.trace && this.root.querySelector("#filters")) {
      this.state = state;
      this.refreshFilters();
      return this.reloadEntries();
    }
    this.state = state;
    const traceId = state.trace;
    if (!traceId) {
      fill(this.root, byId("trace-empty"));
      return;
    }
    const gen = ++this.generation;
    this.cursors = [undefined];
    this.pageIndex = 0;
    fill(this.root, h("p", { class: "muted", role: "status" }, `Loading trace ${traceId}…`));
    const [page, correlation] = await Promise.allSettled([
      this.fetchPage(),
      getJson<CorrelationResponse>(`traces/${encodeURIComponent(traceId)}/correlation`),
    ]);
    if (gen !== this.generation) return;
    if (page.status === "rejected") return this.problem(page.reason, () => void this.show(state, focus));
    this.build(page.value, correlation.status === "fulfilled" ? correlation : correlation.reason);
    if (focus) byId("trace-heading").focus();
  }

  private fetchPage(): Promise<TraceResponse> {
    const q = toQuery(this.state, false);
    q.set("limit", String(PAGE_SIZE));
    const cursor = this.cursors[this.pageIndex];
    if (cursor) q.set("cursor", cursor);
    return getJson<TraceResponse>(`traces/${encodeURIComponent(this.state.trace ?? "")}?${q}`);
  }

  private build(page: TraceResponse, correlation: PromiseFulfilledResult<CorrelationResponse> | unknown): void {
    const c = (correlation as PromiseFulfilledResult<CorrelationResponse>)?.value;
    const s = page.trace;
    this.lanes = SYSTEMS.filter((sys) => (s.by_system[sys] ?? 0) > 0);
    this.levelCounts = s.by_level;
    this.marks = marksOf(c);
    this.start = c?.stats.start ?? s.start;
    const traceId = page.trace_id;
    const exportButton = h("button", { type: "button", id: "export-json" }, "Export JSON");
    const exportStatus = h("span", { class: "muted", role: "status" });
    exportButton.addEventListener("click", () => void this.export(traceId, exportButton, exportStatus));
    const meta = [
      `${s.count.toLocaleString("en-US")} entries (${countsText(s.by_system)})`,
      c ? `over ${formatDuration(c.stats.duration_ms)}` : "",
      `first seen ${new Date(s.first_seen).toLocaleString()}`,
      s.users.length ? `users: ${s.users.slice(0, 5).join(", ")}` : "",
      s.pinned_until && s.pinned_until > Date.now() ? `pinned until ${new Date(s.pinned_until).toLocaleString()}` : "",
      s.ttl_seconds && s.ttl_seconds > 0 ? `expires in about ${Math.ceil(s.ttl_seconds / 60)} min` : "",
    ].filter(Boolean);
    const notes = [...page.warnings, ...(s.dropped.length ? [`dropped ${droppedText(s.dropped)}`] : [])];
    this.entries = h("div", { class: "entries" });
    this.pagers = [this.pager(), this.pager()];
    fill(
      this.root,
      h(
        "section",
        { class: "trace-head", "aria-labelledby": "trace-heading" },
        h("h2", { id: "trace-heading", tabindex: -1 }, "Trace ", h("code", { class: "mono" }, traceId)),
        h("div", { class: "actions" }, exportButton, exportStatus),
        h("p", { class: "meta" }, meta.join(" · ")),
        notes.length ? warnings(notes) : null,
      ),
      c
        ? renderAnalysis(c, page.warnings, () => this.showFromRoot(c))
        : h("p", { class: "problem", role: "alert" }, `Analysis unavailable: ${describeError(correlation)}`),
      h("h3", { class: "visually-hidden" }, "Timeline"),
      this.filterForm(),
      this.legend(),
      this.pagers[0],
      this.entries,
      this.pagers[1],
    );
    this.renderPage(page);
  }

  private legend(): HTMLElement {
    return h(
      "p",
      { class: "legend", "aria-label": "Lanes" },
      "Lanes: ",
      ...this.lanes.map((s) => h("span", { class: `sys-label sys-${s}` }, s)),
      h("span", { class: "muted" }, " · times corrected for clock skew, relative to the first entry"),
    );
  }

  private applyFilters(filters: Filters, then?: () => void): void {
    this.state = { trace: this.state.trace, ...filters };
    writeUrl(this.state, false);
    this.refreshFilters();
    void this.reloadEntries(0, then);
  }

  private filterForm(): HTMLFormElement {
    return renderFilters(this.lanes, this.levelCounts, this.state, this.start, (f) => this.applyFilters(f));
  }

  /** Redraws the filter bar for the current state, keeping focus on the control that had it. */
  private refreshFilters(): void {
    const focused = document.activeElement?.closest("#filters") ? document.activeElement : null;
    const key =
      focused instanceof HTMLInputElement ? `#filters input[name="${focused.name}"][value="${focused.value}"]` : "";
    const form = this.filterForm();
    this.root.querySelector("#filters")?.replaceWith(form);
    if (focused?.id) form.querySelector<HTMLElement>(`#${focused.id}`)?.focus();
    else if (key) form.querySelector<HTMLElement>(key)?.focus();
  }

  private showFromRoot(c: CorrelationResponse): void {
    if (!c.root_cause) return;
    const root = c.timeline.find((line) => line.id === c.root_cause?.id);
    const from = root && c.timeline.find((line) => line.index >= root.index - ROOT_CONTEXT_ENTRIES);
    const since = Math.floor(from ? c.stats.start + from.rel_ms : c.root_cause.timestamp);
    this.applyFilters({ ...this.filters(), since }, () =>
      this.root.querySelector<HTMLButtonElement>(".row.is-root .row-main")?.focus(),
    );
  }

  private filters(): Filters {
    const { trace: _trace, ...filters } = this.state;
    return filters;
  }

  private async reloadEntries(pageIndex = 0, then?: () => void): Promise<void> {
    if (this.state.systems?.length === 0 || this.state.levels?.length === 0) {
      this.pagers.forEach((p) => fill(p));
      fill(this.entries, h("p", { class: "empty-note" }, "Choose at least one system and one level."));
      return;
    }
    if (pageIndex === 0) this.cursors = [undefined];
    this.pageIndex = pageIndex;
    const gen = ++this.generation;
    this.entries.setAttribute("aria-busy", "true");
    try {
      const page = await this.fetchPage();
      if (gen !== this.generation) return;
      this.renderPage(page);
      then?.();
    } catch (error) {
      if (gen !== this.generation) return;
      if (!this.hooks.fail(error) || !(error instanceof ApiError && error.problem === "auth")) {
        fill(this.entries, h("p", { class: "problem", role: "alert" }, describeError(error)));
      }
    } finally {
      if (gen === this.generation) this.entries.removeAttribute("aria-busy");
    }
  }

  private renderPage(page: TraceResponse): void {
    this.cursors[this.pageIndex + 1] = page.page.next_cursor;
    const { from, to } = page.page;
    const total = page.matching === page.trace.read ? "" : ` (${page.trace.read.toLocaleString("en-US")} in the trace)`;
    const text = page.matching
      ? `Entries ${from.toLocaleString("en-US")}–${to.toLocaleString("en-US")} of ${page.matching.toLocaleString("en-US")}${total}`
      : "";
    for (const pager of this.pagers) {
      const [label, prev, next] = pager.children as unknown as [HTMLElement, HTMLButtonElement, HTMLButtonElement];
      label.textContent = text;
      prev.disabled = this.pageIndex === 0;
      next.disabled = !page.page.next_cursor;
      pager.hidden = !page.matching;
    }
    if (!page.entries.length) {
      const clear = h("button", { type: "button" }, "Clear filters");
      clear.addEventListener("click", () => this.applyFilters({}));
      fill(this.entries, h("p", { class: "empty-note" }, "No entries match these filters. "), clear);
      return;
    }
    fill(this.entries, renderTimeline(page.trace_id, page.entries, this.lanes, this.marks));
  }

  private pager(): HTMLElement {
    const prev = h("button", { type: "button", class: "prev" }, "Previous page");
    const next = h("button", { type: "button", class: "next" }, "Next page");
    prev.addEventListener("click", () => void this.reloadEntries(Math.max(0, this.pageIndex - 1)));
    next.addEventListener("click", () => void this.reloadEntries(this.pageIndex + 1));
    return h("nav", { class: "pager", "aria-label": "Timeline pages" }, h("span", { class: "pager-text" }), prev, next);
  }

  private async export(traceId: string, button: HTMLButtonElement, status: HTMLElement): Promise<void> {
    button.disabled = true;
    status.textContent = "Preparing the download…";
    try {
      const blob = await getBlob(`traces/${encodeURIComponent(traceId)}?download=1`);
      const url = URL.createObjectURL(blob);
      const link = h("a", { href: url, download: `trace-${traceId}.json`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      status.textContent = `Downloaded trace-${traceId}.json (${Math.ceil(blob.size / 1024)} KB).`;
    } catch (error) {
      status.textContent = "";
      if (!this.hooks.fail(error)) status.textContent = `Export failed: ${describeError(error)}`;
    } finally {
      button.disabled = false;
    }
  }

  /** A trace that cannot be shown: unknown or expired, a store outage, a bad id. */
  private problem(error: unknown, retry: () => void): void {
    const handled = this.hooks.fail(error);
    if (handled && error instanceof ApiError && error.problem === "auth") return;
    const notFound = error instanceof ApiError && error.problem === "not_found";
    const retryButton = h("button", { type: "button" }, "Retry");
    retryButton.addEventListener("click", retry);
    fill(
      this.root,
      h(
        "div",
        { class: "problem-panel", role: "alert" },
        h("h2", { id: "trace-heading", tabindex: -1 }, notFound ? "Trace not found" : "Could not open the trace"),
        notFound
          ? h(
              "p",
              {},
              `No trace '${this.state.trace}' in the store: it never existed, or it expired (traces are kept about an hour unless pinned). Pick a recent trace on the left, or check the id.`,
            )
          : h("p", {}, describeError(error)),
        notFound ? null : retryButton,
      ),
    );
  }
}
