/**
 * fast-check arbitraries that generate exactly what fast-check's own do without what those keep.
 *
 * `binaryCodePoint` is the unit of `fc.string({ unit: "binary" })`: one code point of U+0000 to
 * U+10FFFF other than a surrogate, drawn as fast-check draws it (the same index from the same
 * `nat`, mapped to the same character), so a property run with it sees the same strings. It
 * differs in how it recognises a value, which fast-check does as soon as the string arbitrary is
 * built: by arithmetic here, where fast-check's own unit looks the value up in a map of all
 * 1,112,064 characters that it builds on first use and keeps in a module-level cache for the life
 * of the process (about 85 MB of heap after a full collection). Test files share a vitest worker
 * (docs/architecture.md, "Tests"), so every later file's garbage collections would mark that map.
 */
import fc from "fast-check";

const SURROGATES_START = 0xd800;
const SURROGATES_END = 0xdfff;
const SURROGATES_COUNT = SURROGATES_END - SURROGATES_START + 1;
const LAST_CODE_POINT = 0x10ffff;

export const binaryCodePoint: fc.Arbitrary<string> = fc.nat({ max: LAST_CODE_POINT - SURROGATES_COUNT }).map(
  (index) => String.fromCodePoint(index < SURROGATES_START ? index : index + SURROGATES_COUNT),
  (value) => {
    const codePoint = typeof value === "string" ? value.codePointAt(0) : undefined;
    if (
      codePoint === undefined ||
      String.fromCodePoint(codePoint) !== value ||
      (codePoint >= SURROGATES_START && codePoint <= SURROGATES_END)
    )
      throw new Error("not a single non-surrogate code point");
    return codePoint < SURROGATES_START ? codePoint : codePoint - SURROGATES_COUNT;
  },
);
