// The explicit tool registry: every tool the MCP server exposes, in the order agents see them.
import type { ToolDefinition } from "../define-tool.js";
import { listTracesTool } from "./list-traces.js";
import { pinTraceTool } from "./pin-trace.js";

export const tools = [listTracesTool, pinTraceTool] as unknown as ToolDefinition[];
