/**
 * Repair on the live tenant (issue 13, "apply repairs an existing setup instead of rebuilding it"):
 * each fault of repair-faults.ts planted alone on a copy of the good sample, loaded into the HTTPS
 * emulator; `apply --yes` through the real client stack makes the check that flagged it pass, the
 * export before and after differs only in the faulted object, and `plan --exit-code` exits 0.
 */
import { readFile } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { deployerRegistration } from "../../emulator/index.js";
import { startApplyHarness } from "./apply-support.js";
import { FAULTS, type Json } from "./repair-faults.js";
import { clone, sample } from "./support.js";

const good = sample("good");
const goodYaml = readFile(new URL("../../fixtures/tenants/good.breakglass.yaml", import.meta.url), "utf8");

/** what is not tenant state: when the export was taken, and the logs (the emulator records its writes) */
/** Privileged Authentication Administrator (methods, passwords), License Administrator, Groups Administrator */
const UNIT_ROLES = [
  "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
  "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
  "fdd7a751-b60b-444a-984c-02652fe8fa1c",
];

// Not the tenant's state: when and what was read. `registrationDetails` holds the registration
// report's rows of the admins whose methods export did not read one by one: which admins those are
// depends on the accounts' methods, so it moves when the group's members do.
const NOT_STATE = new Set(["tenant", "signIns", "directoryAudits", "registrationDetails"]);

/**
 * A user as both exports saw it: export reads a user's relationships (methods, per-user MFA, owned
 * objects) only when a check looks at that user, so a key one export holds and the other lacks says
 * what was read, not what changed; keys both hold are compared.
 */
function bothRead(a: unknown, b: unknown): [unknown, unknown] {
  if (!a || !b || typeof a !== "object" || typeof b !== "object") return [a, b];
  const keep = (x: object, other: object) =>
    Object.fromEntries(Object.entries(x).filter(([k]) => k in other));
  return [keep(a, b), keep(b, a)];
}

/** Every object whose exported form differs, as `<collection>/<id>` (a keyless object: `<collection>`). */
function changedObjects(before: Snapshot, after: Snapshot): string[] {
  const changed = new Set<string>();
  const byId = (prefix: string, a: unknown, b: unknown) => {
    const index = (xs: unknown) =>
      new Map(
        (Array.isArray(xs) ? (xs as Json[]) : []).map((x, i) => [String(x?.id ?? `#${i}`), x] as const),
      );
    const [ia, ib] = [index(a), index(b)];
    for (const id of new Set([...ia.keys(), ...ib.keys()])) {
      const [x, y] = prefix === "users" ? bothRead(ia.get(id), ib.get(id)) : [ia.get(id), ib.get(id)];
      if (!isDeepStrictEqual(x, y)) changed.add(`${prefix}/${id}`);
    }
  };
  const [a, b] = [before as Json, after as Json];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (NOT_STATE.has(key)) continue;
    if (key === "authenticationMethodsPolicy") {
      // Graph stamps the policy's lastModifiedDateTime on any write to a configuration: the
      // configuration's own difference says what moved
      const { authenticationMethodConfigurations: ca, lastModifiedDateTime: _ta, ...ra } = a[key] ?? {};
      const { authenticationMethodConfigurations: cb, lastModifiedDateTime: _tb, ...rb } = b[key] ?? {};
      byId(key, ca, cb);
      if (!isDeepStrictEqual(ra, rb)) changed.add(key);
    } else if (key === "conditionalAccessPolicies")
      byId(key, withStrengthById(a[key]), withStrengthById(b[key]));
    else if (Array.isArray(a[key]) || Array.isArray(b[key])) byId(key, a[key], b[key]);
    else if (!isDeepStrictEqual(a[key], b[key])) changed.add(key);
  }
  return [...changed].sort();
}

/**
 * The good sample keeps the accounts and the group in a restricted-management unit, where Graph
 * application permissions do not reach (docs/graph-writes.md 0.6): a deployer repairing them holds
 * roles assigned at the unit's scope, as an operator assigns them before such a repair.
 */
const DEPLOYER = "0d3c5a8e-6f1b-4c2d-9e7a-5b4c3d2e1f00";
function grantUnitScope(s: Snapshot): void {
  const unit = s.administrativeUnits!.find((a) => a.isMemberManagementRestricted)!;
  for (const roleDefinitionId of UNIT_ROLES)
    s.roleAssignments!.push({
      id: `unit-${roleDefinitionId}`,
      principalId: DEPLOYER,
      roleDefinitionId,
      directoryScopeId: `/administrativeUnits/${unit.id}`,
      resourceScope: `/administrativeUnits/${unit.id}`,
      appScopeId: null,
    } as NonNullable<Snapshot["roleAssignments"]>[number]);
}

/**
 * A policy as read embeds the strength it grants whole; the strength itself is compared on its
 * own, so a policy is compared with the strength's id only.
 */
function withStrengthById(policies: unknown): unknown {
  if (!Array.isArray(policies)) return policies;
  return (policies as Json[]).map((p) => {
    const strength = p.grantControls?.authenticationStrength;
    if (!strength) return p;
    const { "authenticationStrength@odata.context": _context, ...grant } = p.grantControls;
    return { ...p, grantControls: { ...grant, authenticationStrength: { id: strength.id } } };
  });
}

describe("apply repairs each fault on the live tenant", () => {
  it.each(FAULTS)(
    "$name: the check passes, only the faulted object changed, plan --exit-code 0",
    async (fault) => {
      const snapshot = clone(good.snapshot);
      fault.plant(snapshot);
      grantUnitScope(snapshot);
      const yaml = await goodYaml;
      const h = await startApplyHarness({
        snapshot,
        config: () => yaml,
        emulator: { deployer: false, apps: [{ ...deployerRegistration(), objectId: DEPLOYER }] },
      });
      try {
        // one read of the tenant as planted serves the check and the comparison
        const before = await h.read();
        const failing = (await h.assess(before)).find((r) => r.id === fault.satisfies);
        expect(failing?.status).toBe("fail");

        const run = await h.applyCmd(undefined, { yes: true });
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(fault.step);

        const after = await h.read();
        expect(changedObjects(before, after)).toEqual(fault.objects(before).sort());
        expect((await h.assess(after)).find((r) => r.id === fault.satisfies)?.status).toBe("pass");
        const again = await h.plan({ exitCode: true });
        expect(again.stdout).toContain("No changes.");
        expect(again.code).toBe(0);
      } finally {
        await h.close();
      }
    },
  );

  it("without a role at the unit's scope: refused before anything is sent (exit 4), naming the unit, the steps and the fix", async () => {
    const snapshot = clone(good.snapshot);
    FAULTS.find((f) => f.name === "a licence")!.plant(snapshot);
    FAULTS.find((f) => f.name === "a policy missing the exclusion")!.plant(snapshot);
    const yaml = await goodYaml;
    const h = await startApplyHarness({ snapshot, config: () => yaml });
    try {
      const before = await h.read();
      h.emu.resetCounters();
      const run = await h.applyCmd(undefined, { yes: true });
      expect(run.code).toBe(4);
      expect(run.stderr).toMatch(
        /refused before sending anything: 1 step\(s\) write to members of the restricted-management administrative unit "AU-CORE-7F3A" .*accounts\.zt4p9w\.licences\. Assign this identity roles at the unit's scope/,
      );
      const writes = Object.keys(h.emu.counters().requests.byEndpoint).filter((e) =>
        /^(PATCH|POST|PUT|DELETE) \/(?!\$batch|\{tenant\})/.test(e),
      );
      expect(writes).toEqual([]);
      expect(changedObjects(before, await h.read())).toEqual([]);
      // the kinds the unit does not hold can still be applied
      expect((await h.applyCmd(undefined, { yes: true, target: ["exclusions"] })).code).toBe(0);
    } finally {
      await h.close();
    }
  });

  it("the comparison sees a change outside the faulted object", () => {
    const after = clone(good.snapshot);
    (after.groups![0] as Json).description = "edited";
    expect(changedObjects(good.snapshot, after)).toEqual([`groups/${good.snapshot.groups![0]!.id}`]);
    expect(changedObjects(good.snapshot, clone(good.snapshot))).toEqual([]);
  });
});
