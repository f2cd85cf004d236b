// The part of a long message that explains the bug sits far into it (a hydration diff, a database error's
// cause): the root cause carries the whole message as stored.
import { simulate } from "../simulate.js";
import { browserClock, SERVER } from "./clocks.js";
import type { Incident } from "./types.js";

const HYDRATION = `Error: Hydration failed because the server rendered text didn't match the client. As a result this tree will be regenerated on the client. This can happen if a SSR-ed Client Component used:

- A server/client branch \`if (typeof window !== 'undefined')\`.
- Variable input such as \`Date.now()\` or \`Math.random()\` which changes each time it's called.
- Date formatting in a user's locale which doesn't match the server.
- External changing data without sending a snapshot of it along with the HTML.
- Invalid HTML tag nesting.

It can also happen if the client has a browser extension installed which messes with the HTML before React loaded.

https://react.dev/link/hydration-mismatch

  ...
    <OrdersPage>
      <table>
        <tbody>
          <OrderRow order={{id:"ord_81",placedAt:1764580443000}}>
            <tr>
              <td>
+               12/1/2026, 9:14:03 AM
-               2026-12-01T09:14:03.000Z`;

const DRIZZLE = `Error: Failed query: select "id", "status", "total_cents", "placed_at" from "orders" where "orders"."user_id" = $1 order by "orders"."placed_at" desc limit $2
params: 8812,20
    at NodePgPreparedQuery.queryWithCache (/var/task/.next/server/chunks/611.js:1:48211)
    at async NodePgPreparedQuery.execute (/var/task/.next/server/chunks/611.js:1:49102)
    at async listOrders (/var/task/.next/server/app/orders/page.js:1:3310)
  digest: '2781651543'
  [cause]: error: column "total_cents" does not exist
      at /var/task/node_modules/pg/lib/client.js:545:17
      at process.processTicksAndRejections (node:internal/process/task_queues:95:5) {
    length: 112,
    severity: 'ERROR',
    code: '42703',
    hint: 'Perhaps you meant to reference the column "orders.total".',
    position: '27',
    file: 'parse_relation.c',
    line: '3716',
    routine: 'errorMissingColumn'
  }`;

export const messageIncidents: Incident[] = [
  {
    name: "hydration-date-diff",
    pattern: "whole message",
    story:
      "The order list formats dates with the user's locale on the client and ISO on the server; the diff at the end of React's message shows it.",
    entries: simulate(
      "inc-hydration-diff",
      [
        { at: 0, system: "browser", level: "info", message: "page load /orders", source: "ui" },
        { at: 180, system: "browser", level: "error", message: HYDRATION, source: "console", id: "b-hydration" },
        {
          at: 190,
          system: "browser",
          level: "warn",
          message: "[Violation] 'load' handler took 172ms",
          source: "console",
        },
      ],
      { browser: browserClock(0) },
    ),
    expect: { root: "b-hydration", rootMessageContains: ["<OrderRow", "+               12/1/2026, 9:14:03 AM"] },
  },
  {
    name: "server-component-digest",
    pattern: "whole message",
    story:
      "A Server Component query names a column that a migration renamed; the browser only sees Next.js's digest, the server log has the cause 900 characters in.",
    entries: simulate(
      "inc-digest",
      [
        { at: 0, system: "browser", message: "navigate /orders", source: "ui" },
        { at: 30, system: "worker", level: "info", message: "GET /orders", source: "next-server" },
        { at: 75, system: "worker", level: "error", message: `⨯ ${DRIZZLE}`, source: "next-server", id: "w-query" },
        {
          at: 140,
          system: "browser",
          level: "error",
          message:
            "Error: An error occurred in the Server Components render. The specific message is omitted in production builds to avoid leaking sensitive details. A digest property is included on this error instance which may provide additional details about the nature of the error.",
          stack:
            "Error: An error occurred in the Server Components render. The specific message is omitted in production builds to avoid leaking sensitive details. A digest property is included on this error instance which may provide additional details about the nature of the error.\n    at https://app.example.com/_next/static/chunks/app/orders/page-3b1f0a.js:1:1290",
          source: "window.onerror",
          context: { digest: "2781651543" },
          id: "b-digest",
        },
      ],
      { browser: browserClock(1100), worker: SERVER },
    ),
    expect: { root: "w-query", rootMessageContains: ['[cause]: error: column "total_cents" does not exist'] },
  },
];
