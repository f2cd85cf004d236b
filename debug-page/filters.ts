// The filter bar of an open trace: systems and levels as checkboxes (applied at once), text applied on Enter or
// after a pause in typing, and the "from" time set by the analysis. It reports a new filter state; the caller
// puts it in the URL and reloads the entries.
import { formatRelative } from "../core/analysis/format.js";
import type { Level, System } from "../core/schema.js";
import { h } from "./dom.js";
import { LEVELS, type ViewState } from "./view-state.js";

export type Filters = Pick<ViewState, "systems" | "levels" | "text" | "since">;

/** Typing pause before a text filter applies, ms. */
const TEXT_DELAY_MS = 400;

export function renderFilters(
  lanes: readonly System[],
  levelCounts: Record<string, number>,
  current: Filters,
  start: number,
  onChange: (filters: Filters) => void,
): HTMLFormElement {
  const systemBoxes = lanes.map((s) =>
    checkbox("systems", s, `sys-${s}`, !current.systems || current.systems.includes(s)),
  );
  const levelBoxes = LEVELS.map((l) =>
    checkbox("levels", l, `lvl-${l}`, !current.levels || current.levels.includes(l), levelCounts[l] ?? 0),
  );
  const text = h("input", {
    type: "search",
    id: "filter-text",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "message or stack contains…",
    value: current.text ?? "",
  });
  const clear = h("button", { type: "button", class: "quiet", id: "clear-filters" }, "Clear filters");
  const since = current.since;
  const sinceChip =
    since !== undefined
      ? h(
          "p",
          { class: "since-chip" },
          `From ${formatRelative(since - start)} `,
          h("button", { type: "button", class: "quiet", id: "clear-since" }, "Show from the start"),
        )
      : null;
  const form = h(
    "form",
    { class: "filters", id: "filters", "aria-label": "Filter the timeline" },
    h("fieldset", {}, h("legend", {}, "Systems"), ...systemBoxes.map((b) => b.label)),
    h("fieldset", {}, h("legend", {}, "Levels"), ...levelBoxes.map((b) => b.label)),
    h(
      "div",
      { class: "text-filter" },
      h("label", { for: "filter-text" }, "Text"),
      text,
      h("button", { type: "submit" }, "Apply"),
      clear,
    ),
    sinceChip,
  );

  const read = (overrides: Partial<Filters> = {}): Filters => {
    const picked = <T extends string>(boxes: Array<{ input: HTMLInputElement }>) =>
      boxes.filter((b) => b.input.checked).map((b) => b.input.value as T);
    const systems = picked<System>(systemBoxes);
    const levels = picked<Level>(levelBoxes);
    const filters: Filters = {
      ...(systems.length === lanes.length ? {} : { systems }),
      ...(levels.length === LEVELS.length ? {} : { levels }),
      ...(text.value.trim() ? { text: text.value.trim() } : {}),
      ...(since !== undefined ? { since } : {}),
      ...overrides,
    };
    return filters;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const apply = () => {
    clearTimeout(timer);
    onChange(read());
  };
  for (const box of [...systemBoxes, ...levelBoxes]) box.input.addEventListener("change", apply);
  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(apply, TEXT_DELAY_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply();
  });
  clear.addEventListener("click", () => {
    clearTimeout(timer);
    onChange({});
  });
  form.querySelector("#clear-since")?.addEventListener("click", () => {
    const { since: _since, ...rest } = read();
    onChange(rest);
  });
  return form;
}

function checkbox(name: string, value: string, tone: string, checked: boolean, count?: number) {
  const input = h("input", { type: "checkbox", name, value, checked });
  const label = h(
    "label",
    { class: "check chip" },
    input,
    h("span", { class: `chip-name ${tone}` }, value),
    count !== undefined ? h("span", { class: "count" }, String(count)) : null,
  );
  return { input, label };
}
