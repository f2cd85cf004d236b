import { describe, expect, it } from "vitest";
import { SAFE_ID, formatTraceparent, newSpanId, newTraceId, parseTraceparent } from "./ids.js";

describe("ids", () => {
  it("makes W3C-shaped, unique, server-safe ids", () => {
    const ids = new Set(Array.from({ length: 1000 }, newTraceId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(newSpanId()).toMatch(/^[0-9a-f]{16}$/);
    expect(SAFE_ID.test(newTraceId())).toBe(true);
  });
});

describe("traceparent", () => {
  const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  it("parses a valid header (case and whitespace tolerated)", () => {
    expect(parseTraceparent(valid)).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
    });
    expect(parseTraceparent(` ${valid.toUpperCase()} `)).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
    });
  });

  it("accepts future versions with extra fields, as the spec asks", () => {
    expect(parseTraceparent(`01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra`)?.traceId).toBe(
      "4bf92f3577b34da6a3ce929d0e0e4736",
    );
  });

  it.each([
    undefined,
    null,
    "",
    "garbage",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", // no flags
    "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace id
    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // zero span id
    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // forbidden version
    `${valid}-extra`, // version 00 has nothing after the flags
    "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", // not hex
  ])("rejects %s", (header) => expect(parseTraceparent(header)).toBeUndefined());

  it("formats one for 32-hex trace ids only", () => {
    expect(formatTraceparent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")).toBe(valid);
    expect(formatTraceparent("4bf92f3577b34da6a3ce929d0e0e4736")).toMatch(
      /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/,
    );
    expect(formatTraceparent("order:42")).toBeUndefined();
  });
});
