// The real MCP SDK client, connected to a running stack over streamable HTTP.
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

/** Calls a tool and returns its text (all text parts joined), structuredContent and isError. */
export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
  return {
    text: content
      .filter((c) => c.type === "text")
      .map((c) => c.text)
      .join("\n"),
    structured: result.structuredContent as Record<string, unknown> | undefined,
    isError: result.isError === true,
  };
}
