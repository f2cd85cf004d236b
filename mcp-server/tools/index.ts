// The explicit tool registry: every tool the MCP server exposes, in the order agents see them.
import type { ToolDefinition } from "../define-tool.js";
import { correlateTraceTool } from "./correlate-trace.js";
import { getTraceTool } from "./get-trace.js";
import { listErrorsTool } from "./list-errors.js";
import { listTracesTool } from "./list-traces.js";
import { pinTraceTool } from "./pin-trace.js";
import { searchLogsTool } from "./search-logs.js";

export const tools = [
  listTracesTool,
  listErrorsTool,
  correlateTraceTool,
  getTraceTool,
  searchLogsTool,
  pinTraceTool,
] as unknown as ToolDefinition[];
