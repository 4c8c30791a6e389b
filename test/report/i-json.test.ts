/** JSON outputs are I-JSON (RFC 7493): no lone surrogate or noncharacter, even escaped. */
import { describe, expect, it } from "vitest";
import { stringifyJson } from "../../src/report/json.js";

/** A lone surrogate as JSON.stringify writes it: `\udXXX` not part of a pair. */
const ESCAPED_LONE_SURROGATE =
  /\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i;

describe("stringifyJson", () => {
  const hostile = {
    [`key \udc00`]: `value \ud800 and \ufdd0 and \u{10ffff}`,
    nested: [{ name: "\u2028\u2029\u0085\u202e\u200b" }],
    fine: "emoji \u{1f600} stays",
  };
  const text = stringifyJson(hostile);

  it("writes no lone surrogate or noncharacter, in keys or values, and shows where they were", () => {
    expect(text).not.toMatch(ESCAPED_LONE_SURROGATE);
    expect(text).not.toMatch(/[\ud800-\udfff\ufdd0-\ufdef]/u);
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toContain("key \\u{dc00}");
    expect(parsed["key \\u{dc00}"]).toBe("value \\u{d800} and \\u{fdd0} and \\u{10ffff}");
    expect(parsed.fine).toBe("emoji \u{1f600} stays");
  });

  it("escapes line separators, C1, bidi and invisible characters, keeping the value", () => {
    expect(text).not.toMatch(/[\u2028\u2029\u0085\u202e\u200b]/);
    expect(JSON.parse(text).nested[0].name).toBe("\u2028\u2029\u0085\u202e\u200b");
  });
});
