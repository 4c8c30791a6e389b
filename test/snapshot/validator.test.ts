import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { snapshotValidatorSource, VALIDATOR_FILE } from "../../scripts/gen-snapshot-validator.js";
import { parseSnapshot, parseSnapshotText, SnapshotError } from "../../src/snapshot/load.js";
import { Snapshot } from "../../src/snapshot/schema.js";
import { validate } from "../../src/snapshot/validate.generated.js";
import { applyDamage, damageOf, deepFreeze, describeDamage } from "./damage.js";

const root = new URL("../../", import.meta.url);
const sample = (name: string) => JSON.parse(readFileSync(new URL(`fixtures/tenants/${name}`, root), "utf8"));

describe("the compiled snapshot check", () => {
  it(`${VALIDATOR_FILE} is compiled from the current zod schema (else run: npx tsx scripts/gen-snapshot-validator.ts)`, () => {
    expect(readFileSync(new URL(VALIDATOR_FILE, root), "utf8")).toBe(snapshotValidatorSource());
  });

  for (const name of ["good.json", "takeover.json"]) {
    it(`accepts exactly what zod accepts, on damaged copies of ${name}`, () => {
      const doc = deepFreeze(sample(name));
      expect(validate(doc)).toBe(true);
      let refused = 0;
      fc.assert(
        fc.property(damageOf(doc), (damage) => {
          const damaged = applyDamage(doc, damage);
          const zod = Snapshot.safeParse(damaged).success;
          if (!zod) refused++;
          expect(validate(damaged), describeDamage(damage)).toBe(zod);
        }),
        { seed: 20261202, numRuns: 300 },
      );
      // The damage reaches typed fields often enough for the comparison to mean something.
      expect(refused).toBeGreaterThan(25);
    });
  }

  it("a file that fails the compiled check gets zod's messages, naming the field", () => {
    const doc = sample("good.json");
    doc.users[2].accountEnabled = "yes";
    delete doc.tenant.capturedAt;
    const text = JSON.stringify(doc);
    let err: SnapshotError | undefined;
    try {
      parseSnapshotText(text, "t.json");
    } catch (e) {
      err = e as SnapshotError;
    }
    expect(err?.issues).toEqual([
      "tenant.capturedAt: expected string, got nothing",
      'users[2].accountEnabled: expected boolean, got "yes"',
    ]);
  });

  it("loads a file as the zod path does, and leaves a caller's document alone", () => {
    const doc = sample("takeover.json");
    const fromText = parseSnapshotText(JSON.stringify(doc));
    const fromDoc = parseSnapshot(doc);
    expect(fromText).toEqual(fromDoc);
    expect(fromDoc).not.toBe(doc); // zod's copy: a caller's object is never handed back to be mutated
  });
});
