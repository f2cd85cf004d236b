// The real MCP SDK client, connected to a running stack over streamable HTTP, and what a model reads.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

export async function connectMcp(url: string, token: string): Promise<Client> {
  const client = new Client({ name: "debug-logs-tests", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL("/mcp", url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

/** Claude Code shows its model a result over this many characters only as a 2 KB preview. */
export const MODEL_PREVIEW_CHARS = 50_000;

/**
 * Calls a tool and returns its text (all text parts joined), structuredContent, isError, and `model`: what
 * Claude Code's model receives, `JSON.stringify(structuredContent)` when the result has it (the text is then
 * dropped), else the text.
 */
export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
  const text = content
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");
  const structured = result.structuredContent as Record<string, unknown> | undefined;
  return {
    text,
    structured,
    isError: result.isError === true,
    model: structured ? JSON.stringify(structured) : text,
  };
}

/** Tokens as the answer budget counts them (about 4 characters each). */
export const tokensOf = (text: string) => Math.ceil(text.length / 4);
