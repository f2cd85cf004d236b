// Reading a trace's list as stored, for tests and the bench: `LRANGE logs:{trace_id} 0 -1` through the REST
// endpoint, one JSON entry per element (a trace stored by an older version holds one JSON array per write).

/** Runs one raw Redis command (see backends.ts restCommand). */
export type RawCommand = (args: string[]) => Promise<unknown>;

export interface RawList<T> {
  /** The list's elements as Redis returns them. */
  elements: string[];
  /** The entries they hold, oldest first, JSON-parsed without validation. */
  entries: T[];
}

/** The list of one trace under `keyPrefix`, and its entries. */
export async function readRawList<T = Record<string, unknown>>(
  command: RawCommand,
  keyPrefix: string,
  traceId: string,
): Promise<RawList<T>> {
  const elements = ((await command(["LRANGE", `${keyPrefix}logs:${traceId}`, "0", "-1"])) as string[] | null) ?? [];
  return { elements, entries: elements.flatMap((e) => [JSON.parse(e) as T | T[]].flat() as T[]) };
}
