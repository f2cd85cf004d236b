// Clock skew must respect causality: a browser call and the server entry with the same request id fix
// which came first, whatever the clock estimate says.
import { simulate } from "../simulate.js";
import type { Incident } from "./types.js";

export const skewIncidents: Incident[] = [
  {
    name: "export-without-send-times",
    pattern: "clock causality",
    story:
      "An old browser client sends no batch send times and flushes every 5 s, so arrival times overstate its clock by seconds; the request id shows the call came before the Worker handled it.",
    entries: simulate(
      "inc-skew-received-at",
      [
        { at: 0, system: "browser", message: "click #export", source: "ui" },
        {
          at: 5,
          system: "browser",
          message: "POST /api/export request_id=req_7Hq2Lx9Ab",
          source: "fetch",
          id: "b-request",
        },
        {
          at: 40,
          system: "worker",
          level: "info",
          message: "POST /api/export request_id=req_7Hq2Lx9Ab",
          source: "api",
          id: "w-start",
        },
        {
          at: 95,
          system: "worker",
          level: "error",
          message: "Error: R2 put failed for exports/8812.csv: 503 Service Unavailable (request_id=req_7Hq2Lx9Ab)",
          stack:
            "Error: R2 put failed for exports/8812.csv: 503 Service Unavailable\n    at writeExport (src/export.ts:44:11)",
          source: "api",
          context: { request_id: "req_7Hq2Lx9Ab", status: 503 },
          id: "w-r2",
        },
        {
          at: 150,
          system: "browser",
          level: "error",
          message: "Export failed: 503 Service Unavailable (request_id=req_7Hq2Lx9Ab)",
          source: "console",
          id: "b-export",
        },
      ],
      {
        browser: { skewMs: 3000, sentAt: false, flushEveryMs: 5000, latencyMs: 60 },
        worker: { flushEveryMs: 0, latencyMs: 5 },
      },
    ),
    expect: {
      root: "w-r2",
      order: [
        ["b-request", "w-start"],
        ["w-r2", "b-export"],
      ],
    },
  },
  {
    name: "server-clock-within-tolerance",
    pattern: "clock causality",
    story:
      "The Convex clock runs 1.5 s ahead, inside the tolerance that keeps server clocks as the reference, so its error would sort after the browser's report of it; the shared request id restores the order.",
    entries: simulate(
      "inc-skew-reference",
      [
        { at: 0, system: "browser", message: "click #rename", source: "ui" },
        {
          at: 80,
          system: "convex",
          level: "error",
          message: "Uncaught Error: Project name 'Q3 roadmap' is already taken",
          stack: "Error: Project name 'Q3 roadmap' is already taken\n    at handler (../convex/projects.ts:61:13)",
          source: "projects:rename",
          context: { request_id: "e41b7c93a0d2f856" },
          id: "c-taken",
        },
        {
          at: 140,
          system: "browser",
          level: "error",
          message:
            "Error: [CONVEX M(projects:rename)] [Request ID: e41b7c93a0d2f856] Server Error\nUncaught Error: Project name 'Q3 roadmap' is already taken\n\n  Called by client",
          source: "window.onunhandledrejection",
          id: "b-rename",
        },
        { at: 160, system: "browser", level: "info", message: "rename dialog reopened", source: "ui" },
      ],
      {
        browser: { skewMs: 0, flushEveryMs: 1000, latencyMs: 50 },
        convex: { skewMs: 1500, flushEveryMs: 100, latencyMs: 25 },
      },
    ),
    expect: { root: "c-taken", order: [["c-taken", "b-rename"]] },
  },
];
