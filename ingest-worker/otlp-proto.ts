// OTLP protobuf on the wire: ExportLogsServiceRequest decoded with the protobufjs static code that OpenTelemetry
// JS generated from the official opentelemetry-proto definitions (no code generation at run time, so it runs in
// workerd), turned into the OTLP/JSON shape the mapping reads; and the two answers encoded as protobuf.
import otlpRoot from "@opentelemetry/otlp-transformer/build/esm/generated/root.js";
import { Writer } from "protobufjs/minimal.js";
import { InputError } from "../core/errors.js";

interface Message {
  [field: string]: unknown;
}
interface MessageType {
  decode(bytes: Uint8Array): Message;
  toObject(message: Message, options: Record<string, unknown>): Message;
  fromObject(object: Message): Message;
  encode(message: Message): { finish(): Uint8Array };
}

const root = otlpRoot as unknown as {
  opentelemetry: {
    proto: {
      collector: { logs: { v1: { ExportLogsServiceRequest: MessageType; ExportLogsServiceResponse: MessageType } } };
    };
  };
};
const { ExportLogsServiceRequest, ExportLogsServiceResponse } = root.opentelemetry.proto.collector.logs.v1;

/** Decodes a protobuf ExportLogsServiceRequest into its OTLP/JSON form (hex ids, 64-bit integers as strings). */
export function decodeLogsRequest(bytes: Uint8Array): unknown {
  let object: Message;
  try {
    object = ExportLogsServiceRequest.toObject(ExportLogsServiceRequest.decode(bytes), {
      longs: String,
      bytes: String,
      enums: Number,
    });
  } catch (error) {
    // protobufjs throws on truncated or ill-typed input; a nesting bomb ends in a RangeError.
    throw new InputError(`Malformed protobuf ExportLogsServiceRequest: ${(error as Error).message}`);
  }
  for (const resourceLogs of asArray(object.resourceLogs)) {
    for (const scopeLogs of asArray((resourceLogs as Message).scopeLogs)) {
      for (const record of asArray((scopeLogs as Message).logRecords) as Message[]) {
        // OTLP/JSON writes trace and span ids as hex; toObject gave base64.
        if (typeof record.traceId === "string") record.traceId = base64ToHex(record.traceId);
        if (typeof record.spanId === "string") record.spanId = base64ToHex(record.spanId);
      }
    }
  }
  return object;
}

/** An ExportLogsServiceResponse, with partialSuccess when some records were refused. */
export function encodeLogsResponse(partialSuccess?: { rejectedLogRecords: number; errorMessage: string }): Uint8Array {
  const message = ExportLogsServiceResponse.fromObject(partialSuccess ? { partialSuccess } : {});
  return ExportLogsServiceResponse.encode(message).finish();
}

/**
 * A google.rpc.Status (`int32 code = 1; string message = 2;`, no details), written with protobufjs's Writer: the
 * generated OTLP code does not include google.rpc.
 */
export function encodeStatus(code: number, message: string): Uint8Array {
  return Writer.create()
    .uint32((1 << 3) | 0)
    .int32(code)
    .uint32((2 << 3) | 2)
    .string(message)
    .finish();
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function base64ToHex(value: string): string {
  const binary = atob(value);
  let hex = "";
  for (let i = 0; i < binary.length; i++) hex += binary.charCodeAt(i).toString(16).padStart(2, "0");
  return hex;
}
