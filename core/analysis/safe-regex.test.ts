import { describe, expect, it } from "vitest";
import { InputError } from "../errors.js";
import { REGEX_INPUT_CHARS, REGEX_MIN_INPUT_CHARS } from "./limits.js";
import { checkRegex } from "./safe-regex.js";

describe("the regex guard bounds total work, not only the count of * and +", () => {
  it("shortens the text for bounded repeats that act like unbounded ones", () => {
    // Took 13 s on a 200-character message when {0,9999} counted as harmless.
    const r = checkRegex("\\w{0,9999}\\w{0,9999}\\w{0,9999}!");
    expect(r.inputChars).toBeLessThanOrEqual(100);
    expect(r.inputChars).toBeGreaterThanOrEqual(REGEX_MIN_INPUT_CHARS);
  });

  it.each([
    ["many small bounded repeats", "\\w{1,5}".repeat(10) + "!"],
    ["a chain of groups of alternatives", "(a|a)".repeat(18) + "!"],
    ["many optional parts", "a?".repeat(40) + "!"],
  ])("refuses %s, saying what to change", (_name, pattern) => {
    expect(() => checkRegex(pattern)).toThrow(InputError);
    expect(() => checkRegex(pattern)).toThrow(/too many ways to match/);
  });

  it.each(["\\d{4}-\\d{2}-\\d{2}", "status 50[234]", "timeout|refused|reset", "req-[0-9a-f]{8}", "(GET|POST) /api"])(
    "keeps the whole text for a linear pattern: %s",
    (pattern) => expect(checkRegex(pattern).inputChars).toBe(REGEX_INPUT_CHARS[0]),
  );

  it("keeps the existing windows for patterns with * and +", () => {
    expect(checkRegex("status.*failed").inputChars).toBe(REGEX_INPUT_CHARS[1]);
    expect(checkRegex("a.*b.*c").inputChars).toBe(REGEX_INPUT_CHARS[2]);
  });
});
