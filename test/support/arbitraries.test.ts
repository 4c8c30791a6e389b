import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { binaryCodePoint } from "./arbitraries.js";

describe("binaryCodePoint", () => {
  // fast-check's "binary" unit: `fc.mapToConstant` over U+0000-U+D7FF and U+E000-U+10FFFF. A fresh
  // instance is not cached by fast-check, and sampling it never builds its map of characters.
  const fastChecksBinaryUnit = () =>
    fc.mapToConstant(
      { num: 0xd800, build: (i) => String.fromCodePoint(i) },
      { num: 0x10ffff - 0xe000 + 1, build: (i) => String.fromCodePoint(0xe000 + i) },
    );

  it("draws the same characters as fast-check's binary unit for the same seed", () => {
    for (const seed of [1, 42, 20261203]) {
      const options = { seed, numRuns: 2000 };
      expect(fc.sample(binaryCodePoint, options)).toEqual(fc.sample(fastChecksBinaryUnit(), options));
    }
  });

  it("recognises every code point but the surrogates, and nothing else", () => {
    const wrong: number[] = [];
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      const surrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
      if (binaryCodePoint.canShrinkWithoutContext(String.fromCodePoint(codePoint)) === surrogate)
        wrong.push(codePoint);
    }
    expect(wrong).toEqual([]);
    for (const value of [
      "",
      "ab",
      "\u{1F600}a",
      "\u{1F600}\u{1F600}",
      "\ud800",
      "\udfff",
      65,
      null,
      undefined,
    ])
      expect(binaryCodePoint.canShrinkWithoutContext(value)).toBe(false);
  });

  it("strings of it can be shrunk from a value alone, as with fast-check's unit", () => {
    const strings = fc.string({ unit: binaryCodePoint, maxLength: 40 });
    expect(strings.canShrinkWithoutContext("a\u{10FFFF}\u0000\ue000")).toBe(true);
    expect(strings.canShrinkWithoutContext("a\ud800")).toBe(false);
  });
});
