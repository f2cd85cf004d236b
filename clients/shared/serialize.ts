// Turns anything an app may pass to console.log or a logger into bounded, JSON-safe data and readable text.
// Never throws: hostile getters, proxies and toJSON methods end up as "[Unserializable]".

/** Deepest nesting kept; deeper values become "[Depth limit]". */
export const MAX_DEPTH = 6;
/** Longest string kept inside structured data, characters. */
export const MAX_STRING_CHARS = 2048;
/** Longest message text, characters (matches the server's cap). */
export const MAX_MESSAGE_CHARS = 8192;
/** Longest stack, characters (matches the server's cap). */
export const MAX_STACK_CHARS = 16384;
/** Most array items or object keys kept per level; the rest are counted in a "…" entry. */
export const MAX_ITEMS = 50;
/** Deepest `cause` chain followed when building a stack. */
const MAX_CAUSES = 4;

export const truncate = (s: string, max: number): string => (s.length > max ? s.slice(0, max) + "…[truncated]" : s);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON-safe copy of any value: cycles, Errors, DOM nodes, Maps, Sets, BigInt, Symbols and functions included. */
export function toJsonSafe(value: unknown, depth = MAX_DEPTH): Json {
  return safe(value, depth, []);
}

function safe(value: unknown, depth: number, path: object[]): Json {
  try {
    switch (typeof value) {
      case "string":
        return truncate(value, MAX_STRING_CHARS);
      case "number":
        return Number.isFinite(value) ? value : String(value);
      case "boolean":
        return value;
      case "bigint":
        return `${value}n`;
      case "function":
        return `[Function ${value.name || "anonymous"}]`;
      case "undefined":
        return "[undefined]";
      case "symbol":
        return value.toString();
    }
    if (value === null) return null;
    const obj = value as Record<string, unknown>;
    if (path.includes(obj)) return "[Circular]";
    const node = describeNode(obj);
    if (node) return node;
    if (value instanceof RegExp) return String(value);
    if (ArrayBuffer.isView(value)) return `[${obj.constructor?.name}]`; // typed arrays: not thousands of keys
    if (depth <= 0) return "[Depth limit]";
    path.push(obj);
    try {
      const next = (v: unknown) => safe(v, depth - 1, path);
      if (value instanceof Error) return errorToJson(value, next);
      if (value instanceof Map) return { "[Map]": capList([...value].map(([k, v]) => [next(k), next(v)])) };
      if (value instanceof Set) return { "[Set]": capList([...value].map(next)) };
      if (Array.isArray(value)) return capList(value.slice(0, MAX_ITEMS + 1).map(next), value.length);
      if (typeof obj.toJSON === "function") return next(obj.toJSON()); // Dates, URLs and app classes
      if (isEvent(obj)) return { type: String(obj.type), target: next(obj.target) };
      const out: Record<string, Json> = {};
      const keys = Object.keys(obj);
      for (const key of keys.slice(0, MAX_ITEMS)) {
        try {
          out[key] = next(obj[key]);
        } catch {
          out[key] = "[Unserializable]"; // a throwing getter
        }
      }
      if (keys.length > MAX_ITEMS) out["…"] = `${keys.length - MAX_ITEMS} more keys`;
      return out;
    } finally {
      path.pop();
    }
  } catch {
    return "[Unserializable]";
  }
}

function capList(items: Json[], total = items.length): Json[] {
  if (total <= MAX_ITEMS) return items;
  const kept = items.slice(0, MAX_ITEMS);
  kept.push(`… ${total - MAX_ITEMS} more items`);
  return kept;
}

function errorToJson(error: Error, next: (v: unknown) => Json): Json {
  const out: Record<string, Json> = {
    name: String(error.name),
    message: truncate(String(error.message), MAX_STRING_CHARS),
  };
  if (error.stack) out.stack = truncate(String(error.stack), MAX_STACK_CHARS);
  for (const key of Object.keys(error))
    if (!(key in out)) out[key] = next((error as unknown as Record<string, unknown>)[key]);
  if (error.cause !== undefined) out.cause = next(error.cause);
  return out;
}

// DOM nodes print as a CSS-like selector ("button#save.primary.large") instead of walking the whole document.
function describeNode(obj: Record<string, unknown>): string | undefined {
  if (typeof obj.nodeType !== "number" || typeof obj.nodeName !== "string") return undefined;
  const name = obj.nodeName.toLowerCase();
  if (obj.nodeType !== 1) return name;
  const cls = typeof obj.className === "string" ? obj.className.trim().split(/\s+/).join(".") : "";
  return name + (obj.id ? "#" + String(obj.id) : "") + (cls ? "." + cls : "");
}

const isEvent = (obj: Record<string, unknown>) => typeof Event !== "undefined" && obj instanceof Event;

/** An Error's stack with its `cause` chain appended ("Caused by: ..."), or undefined when there is none. */
export function stackOf(error: unknown): string | undefined {
  const parts: string[] = [];
  let current: unknown = error;
  for (let i = 0; i <= MAX_CAUSES && current instanceof Error; i++) {
    parts.push((i ? "Caused by: " : "") + (current.stack || `${current.name}: ${current.message}`));
    current = current.cause;
  }
  return parts.length ? truncate(parts.join("\n"), MAX_STACK_CHARS) : undefined;
}

/** One console argument as text: strings as they are, Errors as "Name: message", the rest as compact JSON. */
export function argToText(arg: unknown): string {
  if (typeof arg === "string") return arg;
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
  if (arg === undefined) return "undefined";
  const json = toJsonSafe(arg);
  return typeof json === "string" ? json : truncate(JSON.stringify(json), 1000);
}

/** The line a console call would print: printf-style %s %d %i %f %o %O %j %c substitutions, then the rest joined by spaces. */
export function formatArgs(args: readonly unknown[]): string {
  const rest = [...args];
  if (typeof rest[0] === "string" && rest[0].includes("%")) {
    const head = (rest.shift() as string).replace(/%([sdifoOjc%])/g, (m, f: string) => {
      if (f === "%") return "%";
      if (!rest.length) return m;
      const arg = rest.shift();
      if (f === "c") return "";
      if (f === "d" || f === "i") return String(typeof arg === "bigint" ? arg : Math.trunc(Number(arg)));
      if (f === "f") return String(Number(arg));
      return argToText(arg);
    });
    rest.unshift(head);
  }
  return truncate(rest.map(argToText).join(" "), MAX_MESSAGE_CHARS);
}
