/**
 * Writes a restricted-management unit keeps out (src/deploy/unit-scope.ts): on the good sample,
 * whose accounts and group sit in one, a step writing to them needs a role at the unit's scope;
 * a role-assignable group's membership also yields to a tenant-wide Global or Privileged Role
 * Administrator; everything else (policies, the methods policy, objects made in the run) is not
 * the unit's.
 */
import { describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { unitScopeGaps } from "../../src/deploy/unit-scope.js";
import { FAULTS } from "./repair-faults.js";
import { clone, plan, sample } from "./support.js";

const good = sample("good");
const unit = good.snapshot.administrativeUnits!.find((a) => a.isMemberManagementRestricted)!;
const CALLER = "0d3c5a8e-6f1b-4c2d-9e7a-5b4c3d2e1f00";
const PAA = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13";
const GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10";

const fault = (name: string) => {
  const s = clone(good.snapshot);
  FAULTS.find((f) => f.name === name)!.plant(s);
  return { s, steps: plan(s, good.config) };
};
const scopedTo = (s: Snapshot, principalId: string, scope: string) =>
  void s.roleAssignments!.push({
    id: "scoped",
    principalId,
    roleDefinitionId: PAA,
    directoryScopeId: scope,
  } as NonNullable<Snapshot["roleAssignments"]>[number]);

describe("writes a restricted-management unit keeps out", () => {
  it("a step writing to an account in the unit, without a role at its scope (a tenant-wide one is not enough)", () => {
    const { s, steps } = fault("a licence");
    expect(unitScopeGaps(s, steps, { objectId: CALLER, tenantRoles: [PAA, GLOBAL_ADMINISTRATOR] })).toEqual([
      { stepId: "accounts.zt4p9w.licences", unit: { id: unit.id, displayName: unit.displayName } },
    ]);
    const methods = fault("a phishable method");
    expect(unitScopeGaps(methods.s, methods.steps, { objectId: CALLER, tenantRoles: [] })).toHaveLength(1);
  });

  it("none with a role at the unit's scope, held directly or through a group the caller is in", () => {
    const { s, steps } = fault("per-user MFA on");
    const direct = clone(s);
    scopedTo(direct, CALLER, `/administrativeUnits/${unit.id}`);
    expect(unitScopeGaps(direct, steps, { objectId: CALLER, tenantRoles: [] })).toEqual([]);
    const viaGroup = clone(s);
    const team = viaGroup.groups!.find((g) => g.id !== good.config.group)!;
    team.members = [...(team.members ?? []), { "@odata.type": "#microsoft.graph.user", id: CALLER }];
    scopedTo(viaGroup, team.id, `/administrativeUnits/${unit.id.toUpperCase()}`);
    expect(unitScopeGaps(viaGroup, steps, { objectId: CALLER, tenantRoles: [] })).toEqual([]);
    // a role at another scope does not count
    const elsewhere = clone(s);
    scopedTo(elsewhere, CALLER, "/administrativeUnits/00000000-0000-0000-0000-000000000000");
    expect(unitScopeGaps(elsewhere, steps, { objectId: CALLER, tenantRoles: [] })).toHaveLength(1);
  });

  it("the role-assignable group's membership yields to a tenant-wide Global Administrator", () => {
    const { s, steps } = fault("an extra member of the group");
    expect(unitScopeGaps(s, steps, { objectId: CALLER, tenantRoles: [PAA] })).toHaveLength(1);
    expect(unitScopeGaps(s, steps, { objectId: CALLER, tenantRoles: [GLOBAL_ADMINISTRATOR] })).toEqual([]);
  });

  it("policies, the methods policy and a tenant without a restricted unit are not its", () => {
    for (const name of [
      "a policy missing the exclusion",
      "FIDO2 off in the methods policy",
      "a phishable combination in the strength",
    ]) {
      const { s, steps } = fault(name);
      expect(steps.length).toBeGreaterThan(0);
      expect(unitScopeGaps(s, steps, { objectId: CALLER, tenantRoles: [] })).toEqual([]);
    }
    const { s, steps } = fault("a licence");
    s.administrativeUnits = [];
    expect(unitScopeGaps(s, steps, { objectId: CALLER, tenantRoles: [] })).toEqual([]);
  });
});
