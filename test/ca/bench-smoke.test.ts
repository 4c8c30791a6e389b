/** Smoke test of the benchmark's tenant generator and the prover on a small generated tenant. */
import { describe, expect, it } from "vitest";
import { generateTenant, SMALL } from "../../bench/ca/generate.js";
import { CaEngine } from "../../src/ca/engine.js";
import { proveAccount, proveAllAdmins } from "../../src/ca/prover.js";
import { Envelope } from "../../src/config/schema.js";
import { Directory } from "../../src/snapshot/directory.js";
import { parseSnapshot } from "../../src/snapshot/load.js";

describe("benchmark generator + prover", () => {
  it("generates a valid snapshot whose emergency accounts are proven and admins are counted", () => {
    const { snapshot, emergencyIds, adminIds } = generateTenant(SMALL);
    expect(() => parseSnapshot(JSON.parse(JSON.stringify(snapshot)))).not.toThrow();
    expect(snapshot.conditionalAccessPolicies).toHaveLength(SMALL.policies);
    const engine = new CaEngine(snapshot, new Directory(snapshot));
    const envelope = Envelope.parse({});
    for (const id of emergencyIds) {
      const p = proveAccount(engine, id, { envelope });
      expect(p.status).toBe("proven");
      expect(p.whatIfCalls).toBeGreaterThan(p.classes);
    }
    const all = proveAllAdmins(engine, { envelope, adminIds });
    expect(all.admins).toBe(SMALL.admins);
    expect(all.classes).toBeGreaterThan(0);
  });
});
