/**
 * Soundness of "watched" (never a false pass): for random where-clauses over the account's id,
 * another id and a result filter, whenever the analysis says the account is watched, the clause is
 * true for the account's sign-ins whatever their result. Checked by an independent evaluator.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeQuery, watchVerdict } from "../../src/monitor/kql.js";

const A = "0a1b2c3d-0000-4000-8000-00000000000a";
const B = "0a1b2c3d-0000-4000-8000-00000000000b";

type Formula =
  | { atom: string; holds: (result: string) => boolean }
  | { op: "and" | "or"; l: Formula; r: Formula }
  | { not: Formula };

const atoms: Array<{ atom: string; holds: (result: string) => boolean }> = [
  { atom: `UserId == "${A}"`, holds: () => true },
  { atom: `UserId == "${B}"`, holds: () => false },
  { atom: `UserId != "${A}"`, holds: () => false },
  { atom: `UserId in ("${B}", "${A}")`, holds: () => true },
  { atom: `UserId !in ("${A}")`, holds: () => false },
  { atom: `ResultType == "0"`, holds: (r) => r === "0" },
  { atom: `ResultType != "0"`, holds: (r) => r !== "0" },
  { atom: `TimeGenerated > ago(1h)`, holds: () => true },
];

const formula: fc.Arbitrary<Formula> = fc.letrec((tie) => ({
  f: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...atoms),
    fc.record({
      op: fc.constantFrom("and" as const, "or" as const),
      l: tie("f") as fc.Arbitrary<Formula>,
      r: tie("f") as fc.Arbitrary<Formula>,
    }),
    fc.record({ not: tie("f") as fc.Arbitrary<Formula> }),
  ),
})).f;

const text = (f: Formula): string =>
  "atom" in f ? f.atom : "not" in f ? `not(${text(f.not)})` : `(${text(f.l)} ${f.op} ${text(f.r)})`;
const holds = (f: Formula, result: string): boolean =>
  "atom" in f
    ? f.holds(result)
    : "not" in f
      ? !holds(f.not, result)
      : f.op === "and"
        ? holds(f.l, result) && holds(f.r, result)
        : holds(f.l, result) || holds(f.r, result);

describe("watched is sound", () => {
  it("never says watched when some sign-in of the account would be filtered out", () => {
    fc.assert(
      fc.property(formula, (f) => {
        const q = `SigninLogs | where ${text(f)}`;
        const v = watchVerdict(analyzeQuery(q), { table: "SigninLogs", user: { id: A, type: "User" } });
        if (v.status === "watched") {
          expect(holds(f, "0") && holds(f, "50126"), q).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});
