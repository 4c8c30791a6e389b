import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collectClauses } from "../../../emulator/graph/odata/filter-clauses.js";
import { evaluateFilter } from "../../../emulator/graph/odata/filter-eval.js";
import { FilterSyntaxError, parseFilter } from "../../../emulator/graph/odata/filter.js";

const ev = (f: string, item: unknown): boolean => evaluateFilter(parseFilter(f), item);

describe("$filter parser", () => {
  it("parses comparisons, precedence (and binds tighter than or) and parentheses", () => {
    const item = { a: 1, b: "x", c: true };
    expect(ev("a eq 1 or b eq 'y' and c eq false", item)).toBe(true);
    expect(ev("(a eq 1 or b eq 'y') and c eq false", item)).toBe(false);
    expect(ev("not (a eq 2)", item)).toBe(true);
    expect(ev("not(a eq 1)", item)).toBe(false);
    expect(ev("a ge 1 and a le 1 and a gt 0 and a lt 2", item)).toBe(true);
  });

  it("compares strings case-insensitively and unescapes doubled quotes", () => {
    expect(ev("name eq 'O''Brien'", { name: "o'brien" })).toBe(true);
    expect(ev("startsWith(name,'o''b')", { name: "O'Brien" })).toBe(true);
    expect(ev("endswith(name,'IEN')", { name: "O'Brien" })).toBe(true);
    expect(ev("contains(name,'bri')", { name: "O'Brien" })).toBe(true);
    expect(ev("startsWith(name,'x') eq false", { name: "O'Brien" })).toBe(true);
  });

  it("reads unquoted GUIDs (even those starting with a letter) and datetimes", () => {
    expect(
      ev("skuId eq eec0eb4f-6444-4f95-aba0-50c24d67f998", { skuId: "EEC0EB4F-6444-4F95-ABA0-50C24D67F998" }),
    ).toBe(true);
    expect(ev("d ge 2024-01-01T00:00:00Z", { d: "2024-06-01T10:00:00.123Z" })).toBe(true);
    expect(ev("d lt 2024-01-01T00:00:00Z", { d: "2024-06-01T10:00:00Z" })).toBe(false);
    // a datetime compares by instant, not by text
    expect(ev("d eq 2024-01-01T01:00:00+01:00", { d: "2024-01-01T00:00:00Z" })).toBe(true);
    expect(ev("n eq 50126", { n: 50126 })).toBe(true);
  });

  it("handles null: eq null matches missing and null, ne null the rest, ordering with null is false", () => {
    expect(ev("p eq null", {})).toBe(true);
    expect(ev("p eq null", { p: null })).toBe(true);
    expect(ev("p eq null", { p: "x" })).toBe(false);
    expect(ev("p ne null", { p: "x" })).toBe(true);
    expect(ev("p ge 1", { p: null })).toBe(false);
  });

  it("evaluates in, has, nested paths, any/all lambdas and isof", () => {
    expect(ev("t in ('a','b')", { t: "B" })).toBe(true);
    expect(ev("t in ('a','b')", { t: "c" })).toBe(false);
    expect(ev("status/errorCode eq 0", { status: { errorCode: 0 } })).toBe(true);
    expect(ev("xs/any(x:x eq 'b')", { xs: ["a", "b"] })).toBe(true);
    expect(ev("xs/any(x:x eq 'c')", { xs: ["a", "b"] })).toBe(false);
    expect(ev("xs/any()", { xs: [] })).toBe(false);
    expect(ev("xs/all(x:startsWith(x,'a'))", { xs: ["ab", "ac"] })).toBe(true);
    expect(
      ev("ls/any(l:l/skuId eq 6fd2c87f-b296-42f0-b197-1e91e994b900)", {
        ls: [{ skuId: "6fd2c87f-b296-42f0-b197-1e91e994b900" }],
      }),
    ).toBe(true);
    expect(
      ev("allowedCombinations/any(x:x has 'sms, password')", { allowedCombinations: ["password,sms"] }),
    ).toBe(true);
    expect(
      ev("isof('microsoft.graph.ipNamedLocation')", { "@odata.type": "#microsoft.graph.ipNamedLocation" }),
    ).toBe(true);
    expect(
      ev("isof('microsoft.graph.ipNamedLocation')", {
        "@odata.type": "#microsoft.graph.countryNamedLocation",
      }),
    ).toBe(false);
    const country = {
      "@odata.type": "#microsoft.graph.countryNamedLocation",
      countriesAndRegions: ["US", "CA"],
    };
    expect(ev("microsoft.graph.countryNamedLocation/countriesAndRegions/any(c: c eq 'CA')", country)).toBe(
      true,
    );
    expect(
      ev("microsoft.graph.countryNamedLocation/countriesAndRegions/any(c: c eq 'CA')", {
        "@odata.type": "#microsoft.graph.ipNamedLocation",
      }),
    ).toBe(false);
  });

  it("lists clauses with lambda variables bound to the collection path", () => {
    const clauses = collectClauses(
      parseFilter("assignedLicenses/any(u:u/skuId eq 1) and not(a eq 1) and p eq null"),
    );
    expect(clauses.map((c) => `${c.property}:${c.op}`)).toEqual([
      "assignedLicenses:any",
      "assignedLicenses/skuId:eq",
      "a:eq",
      "a:not",
      "p:eqNull",
    ]);
  });

  it("rejects malformed input with a positioned message", () => {
    for (const bad of [
      "",
      "a eq",
      "a eq 'x",
      "a foo 1",
      "(a eq 1",
      "a eq 1)",
      "unknownfn(a,'b')",
      "a eq 1 and",
      "a in ()",
      "a eq %",
    ]) {
      expect(() => parseFilter(bad), bad).toThrow(FilterSyntaxError);
    }
    expect(() => parseFilter("a eq")).toThrow(/position 4/);
  });

  it("never throws anything but FilterSyntaxError on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        try {
          parseFilter(s);
        } catch (e) {
          expect(e).toBeInstanceOf(FilterSyntaxError);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("round-trips: 'p eq v' matches exactly the items whose p equals v", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), (a, b) => {
        const lit = `'${b.replace(/'/g, "''")}'`;
        expect(ev(`p eq ${lit}`, { p: a })).toBe(a.toLowerCase() === b.toLowerCase());
      }),
      { numRuns: 300 },
    );
  });
});
