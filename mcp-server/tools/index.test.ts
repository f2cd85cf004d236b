// Shared rules every tool must follow, checked over the registry.
import { describe, expect, it } from "vitest";
import { tools } from "./index.js";

describe("tool registry", () => {
  it("has unique snake_case names with snake_case arguments", () => {
    const names = tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-z]+(_[a-z]+)+$/);
      for (const key of Object.keys(tool.inputSchema.shape))
        expect(key, `${tool.name}.${key}`).toMatch(/^[a-z]+(_[a-z]+)*$/);
    }
  });

  it("describes when to use each tool and when not, with an example, within bounds", () => {
    for (const tool of tools) {
      expect(tool.description.length, tool.name).toBeGreaterThan(150);
      expect(tool.description.length, tool.name).toBeLessThan(1000);
      expect(tool.description, tool.name).toMatch(/Use it/);
      expect(tool.description, tool.name).toMatch(/Not |not for|Not needed/i);
      expect(tool.description, tool.name).toMatch(/Example: \{/);
      expect(tool.title.length, tool.name).toBeGreaterThan(5);
    }
  });

  it("sets annotations and describes every argument", () => {
    for (const tool of tools) {
      expect(typeof tool.annotations.readOnlyHint, tool.name).toBe("boolean");
      expect(tool.annotations.openWorldHint, tool.name).toBe(false);
      for (const [key, schema] of Object.entries(tool.inputSchema.shape)) {
        expect((schema as { description?: string }).description, `${tool.name}.${key}`).toBeTruthy();
      }
    }
  });

  it("parses each example with its input schema", () => {
    for (const tool of tools) {
      const example = JSON.parse(tool.description.match(/Example: (\{.*\})/)![1]!);
      expect(tool.inputSchema.safeParse(example).success, tool.name).toBe(true);
    }
  });
});
