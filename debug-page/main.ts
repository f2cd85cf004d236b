// The /debug page: asks for the token once per browser session, then lists recent traces and shows one.
// A wrong token (now or later) asks again; every other problem is shown where it happened.
import { byId } from "./dom.js";
import { ApiError, describeError, getJson, token } from "./http.js";
import { TraceList } from "./trace-list.js";
import { TraceView } from "./trace-view.js";
import { readUrl, writeUrl } from "./view-state.js";

const app = byId("app");
const tokenPanel = byId("token-panel");
const tokenInput = byId<HTMLInputElement>("token-input");
const tokenError = byId("token-error");
const forget = byId<HTMLButtonElement>("forget-token");

/** The page-wide answer to a wrong token; false for everything else (the caller shows it in place). */
function fail(error: unknown): boolean {
  if (!(error instanceof ApiError) || error.problem !== "auth") return false;
  askToken(`The token was not accepted (${error.message}). Enter the MCP_AUTH_TOKEN again.`);
  return true;
}

const view = new TraceView({ fail });
const list = new TraceList(
  (traceId) => open(traceId),
  (error) => fail(error),
);

function askToken(message = ""): void {
  token.clear();
  app.hidden = true;
  forget.hidden = true;
  tokenPanel.hidden = false;
  tokenError.textContent = message;
  tokenInput.value = "";
  tokenInput.focus();
}

function start(): void {
  tokenPanel.hidden = true;
  app.hidden = false;
  forget.hidden = false;
  const state = readUrl();
  list.mark(state.trace);
  void list.load();
  void view.show(state);
}

/** Opens a trace with no filters, as a new history entry (Back returns to the previous one). */
function open(traceId: string): void {
  const state = { trace: traceId };
  writeUrl(state, true);
  list.mark(traceId);
  void view.show(state, true);
}

byId("token-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = tokenInput.value.trim();
  if (!value) return;
  tokenError.textContent = "Checking…";
  try {
    await getJson("traces?limit=1", value);
  } catch (error) {
    if (error instanceof ApiError && error.problem === "auth") {
      tokenError.textContent = `That token was not accepted: ${error.message}`;
      tokenInput.select();
      return;
    }
    // The token is checked before the store is read: an outage here says nothing against the token.
    if (!(error instanceof ApiError && error.problem === "unavailable")) {
      tokenError.textContent = describeError(error);
      return;
    }
  }
  token.set(value);
  tokenError.textContent = "";
  start();
});

byId("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = byId<HTMLInputElement>("search-input");
  let value = input.value.trim();
  // A pasted debug page link works as well as a bare id.
  const fromLink = /[?&]trace=([^&#\s]+)/.exec(value);
  if (fromLink?.[1]) value = decodeURIComponent(fromLink[1]);
  if (value) open(value);
});

forget.addEventListener("click", () => askToken("Token forgotten. Enter it again to continue."));

window.addEventListener("popstate", () => {
  const state = readUrl();
  list.mark(state.trace);
  void view.show(state);
});

if (token.get()) start();
else askToken();
