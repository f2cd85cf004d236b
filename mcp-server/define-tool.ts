// One shape for every tool: typed input/output schemas, a handler that returns readable text plus
// structuredContent, and one place that turns errors into isError results telling the agent how to recover.
import type { CallToolResult, McpServer, ToolAnnotations } from "@modelcontextprotocol/server";
import type { z } from "zod";
import { ConfigError, InputError, NotFoundError, StoreUnavailableError } from "../core/errors.js";
import type { Services } from "../core/services.js";

export interface ToolContext {
  services: Services;
  /** Server clock at the start of the call, ms. */
  now: number;
}

/** A tool's answer: the view (sent as structuredContent, which is all Claude Code's model reads) and its text. */
export interface ToolResult<O> {
  view: O;
  text: string;
}

export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  inputSchema: I;
  outputSchema: O;
  annotations: ToolAnnotations;
  handler: (input: z.infer<I>, ctx: ToolContext) => Promise<ToolResult<z.infer<O>>>;
}

/** Exists for typing: infers the handler's input and output from the schemas. */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  def: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return def;
}

export function registerTool(server: McpServer, tool: ToolDefinition, services: Services): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.inputSchema,
      outputSchema: tool.outputSchema,
      annotations: tool.annotations,
    },
    async (input: unknown): Promise<CallToolResult> => {
      try {
        const { text, view } = await tool.handler(input as never, { services, now: Date.now() });
        return { content: [{ type: "text", text }], structuredContent: view as Record<string, unknown> };
      } catch (error) {
        return { isError: true, content: [{ type: "text", text: recoveryText(tool.name, error) }] };
      }
    },
  );
}

/** What an agent should read when a call fails: what went wrong and what to do next. */
export function recoveryText(tool: string, error: unknown): string {
  if (error instanceof NotFoundError) return error.message;
  if (error instanceof InputError) {
    const details = error.details.length ? ` (${JSON.stringify(error.details).slice(0, 500)})` : "";
    return `Invalid arguments for ${tool}: ${error.message}${details}`;
  }
  if (error instanceof StoreUnavailableError) {
    return `The log store is not reachable right now (${error.message}). The arguments are fine: call ${tool} again in a few seconds.`;
  }
  if (error instanceof ConfigError) {
    return `The debug-logs server is misconfigured: ${error.message}. Retrying will not help; tell the user the server needs this setting.`;
  }
  console.error(`tool ${tool} failed:`, error);
  return `${tool} failed unexpectedly (a server error, not your arguments): ${error instanceof Error ? error.message : String(error)}. Retry once; if it fails again, tell the user the debug-logs server needs attention.`;
}
