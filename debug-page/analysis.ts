// The analysis panel of an open trace, from GET /api/traces/:id/correlation: the summary to act on, the root
// cause with its evidence, the error chains, clock corrections and warnings. Log content stays text.
import { formatRelative } from "../core/analysis/format.js";
import type { CorrelationResponse } from "./api.js";
import { h } from "./dom.js";

/** `shownWarnings` are already on the page (from the trace itself); only the others are added here. */
export function renderAnalysis(
  c: CorrelationResponse,
  shownWarnings: readonly string[],
  showFromRoot: () => void,
): HTMLElement {
  const extra = c.warnings.filter((w) => !shownWarnings.includes(w));
  const root = c.root_cause;
  const skewed = c.skew.filter((s) => s.method !== "reference");
  return h(
    "section",
    { class: "analysis", "aria-labelledby": "analysis-heading" },
    h("h3", { id: "analysis-heading" }, "Analysis"),
    h("p", { class: "summary" }, c.summary),
    root
      ? h(
          "div",
          { class: "root-cause", id: "root-cause" },
          h(
            "p",
            { class: "root-line" },
            h("span", { class: "badge badge-root" }, "root cause"),
            h("span", { class: `sys-label sys-${root.system}` }, root.system),
            h("span", { class: `lvl lvl-${root.level}` }, root.level),
            h("span", { class: "mono" }, formatRelative(root.rel_ms)),
          ),
          h("p", { class: "root-message" }, root.message),
          root.stack_top.length ? h("pre", { class: "stack" }, root.stack_top.join("\n")) : null,
          h(
            "details",
            {},
            h("summary", {}, `Evidence (${root.evidence.length})`),
            h("ul", {}, ...root.evidence.map((line) => h("li", {}, line))),
          ),
          actionButton("Show the timeline from just before the root cause", showFromRoot),
        )
      : h("p", { class: "healthy" }, "No root cause: no errors or failure warnings in this trace."),
    c.error_chains.length
      ? h(
          "div",
          {},
          h("h4", {}, "Error chains"),
          h(
            "ol",
            { class: "chains" },
            ...c.error_chains.map((chain, i) =>
              h(
                "li",
                {},
                h("span", { class: "badge badge-chain" }, `chain ${i + 1}`),
                ` ${chain.error_count} failure${chain.error_count === 1 ? "" : "s"} across ${chain.systems.join(", ")}`,
                chain.propagation.length ? `, propagated ${chain.propagation.join(", ")}` : "",
              ),
            ),
          ),
        )
      : null,
    skewed.length
      ? h(
          "div",
          {},
          h("h4", {}, "Clocks"),
          h("ul", { class: "clocks" }, ...skewed.map((s) => h("li", {}, s.description))),
          h("p", { class: "muted" }, "Times below are corrected to the server clock, relative to the first entry."),
        )
      : null,
    extra.length ? warnings(extra) : null,
  );
}

export function warnings(lines: readonly string[]): HTMLElement {
  return h("ul", { class: "warnings", "aria-label": "Warnings" }, ...lines.map((w) => h("li", {}, `Warning: ${w}`)));
}

function actionButton(label: string, onClick: () => void): HTMLButtonElement {
  const button = h("button", { type: "button", class: "quiet" }, label);
  button.addEventListener("click", onClick);
  return button;
}
