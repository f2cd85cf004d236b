// /api: the read-only JSON API behind the debug page. Same token, same core queries and the same catch point
// as the MCP tools: a route parses its query string, calls core, and returns the structured result.
import { Hono, type Context } from "hono";
import { z } from "zod";
import { API_ANSWER_MAX_CHARS, EntryFilterSchema } from "../core/analysis/index.js";
import { InputError, NotFoundError } from "../core/errors.js";
import {
  CursorSchema,
  LimitSchema,
  SinceArgSchema,
  SinceMinutesSchema,
  SinceTokenSchema,
  TraceIdSchema,
} from "../core/params.js";
import { correlate } from "../core/query-correlate-trace.js";
import { getTrace } from "../core/query-get-trace.js";
import { listErrors } from "../core/query-list-errors.js";
import { listTraces } from "../core/query-list-traces.js";
import { loadTrace } from "../core/query-shared.js";
import type { CorrelationView, ErrorsView, TraceView, TracesView } from "../core/views/schema.js";
import { EntryIdSchema, SystemSchema, type LogEntry, type TraceSummary } from "../core/schema.js";
import { servicesFor } from "../core/services.js";
import { requireToken } from "../mcp-server/auth.js";

type Bindings = Record<string, unknown>;

/** Entries per page of GET /api/traces/:id at most (the page text budget may end a page earlier). */
export const API_TRACE_PAGE_MAX = 1000;

// Response shapes, imported (as types only) by the page: the views the MCP tools return (core/views/schema.ts),
// built with a character limit instead of an agent's token budget.
export type TracesResponse = TracesView;
export type TraceResponse = TraceView;
export type CorrelationResponse = CorrelationView;
export type ErrorsResponse = ErrorsView;
export type EntryResponse = { entry: LogEntry };
export type TraceExport = { trace_id: string; exported_at: string; summary: TraceSummary; entries: LogEntry[] };

// Query strings carry text: these turn it into what the shared schemas expect, and leave anything else for
// the schema to refuse with its own message. An empty value counts as absent.
const blank = (v: unknown) => (v === "" ? undefined : v);
const num = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : blank(v)),
    schema,
  );
const list = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (v) =>
      typeof v === "string" && v !== ""
        ? v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : blank(v),
    schema,
  );
const BOOLEANS = new Map<unknown, boolean>([
  ["true", true],
  ["1", true],
  ["false", false],
  ["0", false],
]);
const bool = <T extends z.ZodType>(schema: T) => z.preprocess((v) => BOOLEANS.get(v) ?? blank(v), schema);
const text = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema);

const filter = EntryFilterSchema.shape;

const TracesQuerySchema = z.object({
  since_minutes: num(SinceMinutesSchema),
  system: text(SystemSchema.optional()),
  has_errors: bool(z.boolean().optional()),
  user_id: text(z.string().max(256).optional()),
  since: text(SinceArgSchema),
  limit: num(LimitSchema(20, 100)),
  cursor: text(CursorSchema),
});

const TraceQuerySchema = z.object({
  systems: list(filter.systems),
  levels: list(filter.levels),
  since: num(z.union([filter.since.unwrap(), SinceTokenSchema]).optional()),
  until: num(filter.until),
  around: text(z.string().max(128).optional()),
  text: text(filter.text),
  regex: text(filter.regex),
  limit: num(LimitSchema(200, API_TRACE_PAGE_MAX)),
  cursor: text(CursorSchema),
  download: bool(z.boolean().default(false)),
});

const ErrorsQuerySchema = z.object({
  since_minutes: num(SinceMinutesSchema),
  system: text(SystemSchema.optional()),
  trace_id: text(TraceIdSchema.optional()),
  since: text(SinceArgSchema),
  limit: num(LimitSchema(20, 100)),
  cursor: text(CursorSchema),
});

/** Parses with a shared schema; a refusal becomes the InputError every surface answers with 400. */
function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({ field: i.path.join(".") || what, problem: i.message }));
  throw new InputError(`Invalid ${what}: ${details.map((d) => `${d.field}: ${d.problem}`).join("; ")}`, details);
}

const traceIdOf = (c: Context) => parse(TraceIdSchema, c.req.param("id"), "trace id");
const storeOf = (c: Context) => servicesFor(c.env).store();

export const apiApp = new Hono<{ Bindings: Bindings }>();

apiApp.use("*", async (c, next) => {
  // Log content and trace ids are not for shared caches, and the token decides who reads them.
  c.header("Cache-Control", "no-store");
  await requireToken(c.req.header("authorization"), servicesFor(c.env).config.mcpTokens);
  await next();
});

apiApp.get("/traces", async (c) => {
  const query = parse(TracesQuerySchema, c.req.query(), "query");
  const { view } = await listTraces(storeOf(c), query, Date.now());
  return c.json<TracesResponse>(view);
});

apiApp.get("/traces/:id", async (c) => {
  const traceId = traceIdOf(c);
  const { download, ...query } = parse(TraceQuerySchema, c.req.query(), "query");
  if (download) {
    const { entries, summary } = await loadTrace(storeOf(c), traceId);
    c.header("Content-Disposition", `attachment; filename="trace-${traceId}.json"`);
    return c.json<TraceExport>({ trace_id: traceId, exported_at: new Date().toISOString(), summary, entries });
  }
  // A page for people: `limit` rather than an agent-sized budget decides its length.
  const { view } = await getTrace(storeOf(c), { ...query, trace_id: traceId, max_chars: API_ANSWER_MAX_CHARS });
  return c.json<TraceResponse>(view);
});

apiApp.get("/traces/:id/correlation", async (c) => {
  const { view } = await correlate(storeOf(c), traceIdOf(c), { maxChars: API_ANSWER_MAX_CHARS });
  return c.json<CorrelationResponse>(view);
});

/** One stored entry whole (full message, stack and context), for the page's expanded view. */
apiApp.get("/traces/:id/entries/:entry_id", async (c) => {
  const traceId = traceIdOf(c);
  const entryId = parse(EntryIdSchema, c.req.param("entry_id"), "entry id");
  const { entries } = await loadTrace(storeOf(c), traceId);
  const entry = entries.find((e) => e.id === entryId);
  if (!entry) throw new NotFoundError(`No entry '${entryId}' in trace '${traceId}'. Read the trace's entry ids first.`);
  return c.json<EntryResponse>({ entry });
});

apiApp.get("/errors", async (c) => {
  const query = parse(ErrorsQuerySchema, c.req.query(), "query");
  const { view } = await listErrors(storeOf(c), { ...query, max_chars: API_ANSWER_MAX_CHARS }, Date.now());
  return c.json<ErrorsResponse>(view);
});
