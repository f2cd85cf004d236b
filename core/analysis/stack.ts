// Stack trace parsing for the three formats apps send (Chrome/Node `at fn (file:1:2)`, Firefox/Safari
// `fn@file:1:2`), so fingerprints and renderings can keep the frames of the app's own code.
import { STACK_LINES_PARSED } from "./limits.js";

export interface StackFrame {
  /** Function name as printed, "" for anonymous frames. */
  fn: string;
  /** File or URL without the line and column. */
  file: string;
  line?: number;
  column?: number;
  /** False for node_modules, bundled dependencies, runtime internals and native frames. */
  inApp: boolean;
  /** The trimmed original line, for display. */
  raw: string;
}

const LINE_COL = /:(\d+)(?::(\d+))?$/;
const NOT_IN_APP =
  /node_modules|^node:|^internal[/:]|^native$|^\[native code\]$|^<anonymous>$|^eval at |\/\.vite\/deps\/|\/_deps\/|^webpack\/runtime|-extension:\/\/|^address at |^wasm/;
const LINE_MAX = 500;

/** Parses the frames of a stack (lines that are not frames, like the message line, are skipped). */
export function parseStack(stack: string | undefined): StackFrame[] {
  if (!stack) return [];
  const frames: StackFrame[] = [];
  let start = 0;
  for (let n = 0; n < STACK_LINES_PARSED && start < stack.length; n++) {
    let end = stack.indexOf("\n", start);
    if (end === -1) end = stack.length;
    const frame = parseFrame(stack.slice(start, Math.min(end, start + LINE_MAX)));
    if (frame) frames.push(frame);
    start = end + 1;
  }
  return frames;
}

/** One frame line in any supported format, or undefined when the line is not a frame. */
export function parseFrame(line: string): StackFrame | undefined {
  const raw = line.trim();
  if (raw.startsWith("at ")) return chromeFrame(raw);
  const at = raw.indexOf("@");
  // Firefox/Safari: `fn@file:1:2`, `@file:1:2`, `forEach@[native code]`. A space before the @ means prose.
  if (at !== -1 && !raw.slice(0, at).includes(" ") && (LINE_COL.test(raw) || raw.endsWith("[native code]"))) {
    return frame(raw.slice(0, at), raw.slice(at + 1), raw);
  }
  if (/^global code@|^module code@/.test(raw)) return frame("", raw.slice(raw.indexOf("@") + 1), raw);
  return undefined;
}

function chromeFrame(raw: string): StackFrame {
  let body = raw.slice(3).trim();
  if (body.startsWith("async ")) body = body.slice(6);
  const open = body.indexOf(" (");
  if (open !== -1 && body.endsWith(")")) return frame(body.slice(0, open), body.slice(open + 2, -1), raw);
  return frame("", body, raw);
}

function frame(fn: string, location: string, raw: string): StackFrame {
  const m = LINE_COL.exec(location);
  const file = m ? location.slice(0, m.index) : location;
  const result: StackFrame = { fn: fn.trim(), file, inApp: file !== "" && !NOT_IN_APP.test(file), raw };
  if (m) {
    result.line = Number(m[1]);
    if (m[2]) result.column = Number(m[2]);
  }
  return result;
}

/** The first `max` in-app frames; all frames when none is in-app (a library-only stack still says something). */
export function topFrames(frames: StackFrame[], max: number): StackFrame[] {
  const inApp = frames.filter((f) => f.inApp);
  return (inApp.length ? inApp : frames).slice(0, max);
}

/**
 * A frame as it goes into a fingerprint: function and file without line, column, origin, query or build
 * hash, so the same code groups together across deploys and hosts.
 */
export function frameKey(f: StackFrame): string {
  const file = f.file
    .replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "")
    .replace(/[?#].*$/, "")
    .replace(/[-.](?=[A-Za-z_]*\d)[A-Za-z0-9_]{8,}(?=\.m?js$)/, "");
  return `${f.fn}@${file}`;
}
