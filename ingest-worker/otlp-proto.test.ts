// The protobuf side of OTLP on its own: ids to hex, 64-bit integers to strings, hostile input to a 400.
import { Writer } from "protobufjs/minimal.js";
import { describe, expect, it } from "vitest";
import { decodeLogsRequest, encodeLogsResponse, encodeStatus } from "./otlp-proto.js";

/** ExportLogsServiceRequest > resourceLogs(1) > scopeLogs(2) > logRecords(2) > LogRecord; `record` writes its fields. */
function request(record: (w: Writer) => void): Uint8Array {
  const w = Writer.create();
  w.uint32((1 << 3) | 2)
    .fork()
    .uint32((2 << 3) | 2)
    .fork()
    .uint32((2 << 3) | 2)
    .fork();
  record(w);
  return w.ldelim().ldelim().ldelim().finish();
}

describe("decodeLogsRequest", () => {
  it("gives the OTLP/JSON form: hex ids, fixed64 times as decimal strings, enums as numbers", () => {
    const bytes = request((w) =>
      w
        .uint32((1 << 3) | 1)
        .fixed64("1700000000123456789")
        .uint32((2 << 3) | 0)
        .int32(17)
        .uint32((9 << 3) | 2)
        .bytes(Uint8Array.from(Buffer.from("4bf92f3577b34da6a3ce929d0e0e4736", "hex")))
        .uint32((10 << 3) | 2)
        .bytes(Uint8Array.from(Buffer.from("00f067aa0ba902b7", "hex")))
        .uint32((5 << 3) | 2)
        .fork()
        .uint32((1 << 3) | 2)
        .string("boom")
        .ldelim(),
    );
    expect(decodeLogsRequest(bytes)).toEqual({
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: "1700000000123456789",
                  severityNumber: 17,
                  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
                  spanId: "00f067aa0ba902b7",
                  body: { stringValue: "boom" },
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it("turns truncated bytes and a nesting bomb into an InputError (400), quickly", () => {
    expect(() => decodeLogsRequest(new Uint8Array([0x0a, 0xff, 0xff, 0x01]))).toThrow(/Malformed protobuf/);
    const depth = 100_000;
    const bomb = request((w) => {
      w.uint32((5 << 3) | 2).fork();
      for (let i = 0; i < depth; i++)
        w.uint32((5 << 3) | 2)
          .fork()
          .uint32((1 << 3) | 2)
          .fork();
      w.uint32((1 << 3) | 2).string("x");
      for (let i = 0; i < 2 * depth + 1; i++) w.ldelim();
    });
    expect(() => decodeLogsRequest(bomb)).toThrow(expect.objectContaining({ name: "InputError", status: 400 }));
  });
});

describe("encoding the answers", () => {
  it("writes an empty response, partialSuccess, and a google.rpc.Status", () => {
    expect(encodeLogsResponse()).toHaveLength(0);
    const partial = encodeLogsResponse({ rejectedLogRecords: 2, errorMessage: "no trace" });
    // partialSuccess(1) { rejected_log_records(1) varint 2, error_message(2) "no trace" }
    expect([...partial]).toEqual([0x0a, 12, 0x08, 2, 0x12, 8, ...Buffer.from("no trace")]);
    expect([...encodeStatus(14, "down")]).toEqual([0x08, 14, 0x12, 4, ...Buffer.from("down")]);
  });
});
