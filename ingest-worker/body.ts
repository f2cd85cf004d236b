// Reads a request body as JSON (or as bytes) under a byte limit, with gzip/deflate request bodies decoded.
import { InputError } from "../core/errors.js";

const JSON_TYPES = ["application/json", "text/plain"];
/** What `curl -d` sends; read as JSON only when the caller allows it (development). */
const FORM_TYPE = "application/x-www-form-urlencoded";

export interface JsonBodyOptions {
  /** Read an `application/x-www-form-urlencoded` body as JSON (curl's default for -d). Default false. */
  formAsJson?: boolean;
}

/** The request's media type, lower case, without parameters; "" when absent. */
export function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

export async function readJsonBody(
  request: Request,
  maxBytes: number,
  options: JsonBodyOptions = {},
): Promise<unknown> {
  return (await readJsonText(request, maxBytes, options)).value;
}

/** The body as decoded text and as parsed JSON. */
export async function readJsonText(
  request: Request,
  maxBytes: number,
  options: JsonBodyOptions = {},
): Promise<{ text: string; value: unknown }> {
  const type = mediaType(request);
  // A missing type is taken as JSON: curl and simple scripts often omit it.
  if (type && !JSON_TYPES.includes(type) && !type.endsWith("+json") && !(options.formAsJson && type === FORM_TYPE)) {
    throw new InputError(`Unsupported content type '${type}': send application/json or text/plain`, [], 415);
  }
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) throw new InputError("The request has no body: send a log entry or a batch");

  const encoding = (request.headers.get("content-encoding") ?? "").trim().toLowerCase();
  // The common case: a plain body whose declared length is within the limit (the runtime holds it to it).
  if (!encoding && declared <= maxBytes) return parseJson(await request.text());
  return parseJson(new TextDecoder().decode(await readBodyBytes(request, maxBytes)));
}

/** The body's bytes, gzip or deflate decoded, at most maxBytes after decoding (413 beyond). */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) throw new InputError("The request has no body");
  const encoding = (request.headers.get("content-encoding") ?? "").trim().toLowerCase();
  let stream: ReadableStream<Uint8Array> = request.body;
  if (encoding === "gzip" || encoding === "deflate") {
    stream = decompress(await readBytes(stream, maxBytes), encoding);
  } else if (encoding && encoding !== "identity") {
    throw new InputError(`Unsupported content encoding '${encoding}': send gzip, deflate or none`, [], 415);
  }
  return readCapped(stream, maxBytes);
}

/**
 * Compressed bytes through a DecompressionStream. The body is read whole first: a decompressor failing mid-body
 * (a body that is not what its Content-Encoding says) left the request half read, and under wrangler dev the next
 * request on that connection got "Your worker restarted mid-request". Every failure here is handled.
 */
function decompress(bytes: Uint8Array, encoding: "gzip" | "deflate"): ReadableStream<Uint8Array> {
  const decompressor = new DecompressionStream(encoding) as unknown as TransformStream<Uint8Array, Uint8Array>;
  const writer = decompressor.writable.getWriter();
  writer
    .write(bytes)
    .then(() => writer.close())
    .catch(() => writer.abort().catch(() => {}));
  return decompressor.readable;
}

/** The whole body as bytes, at most maxBytes (413 beyond it). */
export async function readBytes(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return concat(chunks, size);
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function parseJson(text: string): { text: string; value: unknown } {
  try {
    return { text, value: JSON.parse(text) };
  } catch (error) {
    throw new InputError(`Malformed JSON: ${(error as Error).message}`);
  }
}

/** readBytes for a decompressed stream: a failure of the decoder is the sender's (a body that is not what it says). */
async function readCapped(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  try {
    return await readBytes(stream, maxBytes);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`Could not read the body: ${(error as Error).message} (is it really gzip?)`);
  }
}

export function tooLarge(maxBytes: number): InputError {
  return new InputError(`Body larger than ${maxBytes} bytes (MAX_BODY_BYTES); split the batch`, [], 413);
}
