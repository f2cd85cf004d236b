// The demo page: installs the browser client against this origin's /log and wires a button to each kind of event.
import { install, type BrowserClient } from "../browser/index.js";

declare global {
  interface Window {
    debugLogs: BrowserClient;
  }
}

const client = install({ endpoint: "/log", source: "demo-page" });
window.debugLogs = client;

const $ = (id: string) => document.getElementById(id)!;
const status = (text: string) => ($("status").textContent = text);

function showTrace(): void {
  const traceId = client.getTraceId();
  $("trace-id").textContent = traceId;
  ($("debug-link") as HTMLAnchorElement).href = `/debug/?trace=${encodeURIComponent(traceId)}`;
}

const on = (id: string, handler: () => void) => $(id).addEventListener("click", handler);

on("btn-log", () => {
  console.log("demo: button clicked", { button: "log", at: new Date().toISOString() });
  status("Logged with console.log.");
});
on("btn-warn", () => {
  console.warn("demo: cart total looks wrong", { expected: 42, actual: 41.99 });
  status("Logged with console.warn.");
});
on("btn-secret", () => {
  console.log("demo: signing in with password=hunter2", { email: "ann@example.com", token: "not-a-real-token" });
  status("Logged a fake password and token; both are redacted before they leave the page.");
});
on("btn-throw", () => {
  setTimeout(() => {
    throw new Error("demo: uncaught error from a timer");
  });
  status("Threw an uncaught error (see the console).");
});
on("btn-reject", () => {
  void Promise.reject(new Error("demo: a promise nobody caught"));
  status("Rejected a promise without a handler.");
});
on("btn-new-trace", () => {
  client.newTrace();
  showTrace();
  console.info("demo: started a new trace");
  status("Started a new trace.");
});
on("btn-flush", () => {
  status("Sending…");
  void client.flush().then(() => status("Flushed: everything queued was sent (or given up after retries)."));
});

showTrace();
console.info("demo: page loaded", { userAgent: navigator.userAgent });
