import { describe, expect, it } from "vitest";
import { gatePlan, lockoutGate } from "../../src/deploy/gates.js";
import { makeStep } from "../../src/deploy/step.js";
import { CaEngine } from "../../src/ca/engine.js";
import { proveAllAdmins } from "../../src/ca/prover.js";
import { Directory } from "../../src/snapshot/directory.js";
import { clone, plan, sample } from "./support.js";

const good = sample("good");
const dedicated = good.snapshot.conditionalAccessPolicies!.find((p) => p.displayName?.startsWith("CA000"))!;
const ca001 = good.snapshot.conditionalAccessPolicies!.find((p) => p.displayName?.startsWith("CA001"))!;
const accountIds = good.snapshot
  .users!.filter((u) => /^(zt4p9w|mq8r3x)@/.test(u.userPrincipalName ?? ""))
  .map((u) => u.id);
const envelope = good.config.profile.envelope;

const policyPatch = (id: string, body: unknown) =>
  makeStep({
    id: `policy.test-${id.slice(0, 4)}`,
    kind: "policy",
    action: "update",
    objectRef: { type: "conditionalAccessPolicy", key: "test", id },
    summary: "test",
    request: { method: "PATCH", url: `/v1.0/identity/conditionalAccess/policies/${id}`, body },
    satisfies: [],
  });

describe("the lockout gate", () => {
  it("refuses a step that would lock an enrolled account out, with the counter-example", () => {
    const step = policyPatch(dedicated.id, {
      grantControls: { operator: "OR", builtInControls: ["block"], authenticationStrength: null },
    });
    const { verdict } = lockoutGate({
      before: good.snapshot,
      step,
      enrolledAccountIds: accountIds,
      envelope,
    });
    expect(verdict.allowed).toBe(false);
    expect(verdict.reasons.join("\n")).toMatch(
      /zt4p9w@contosomedical\.onmicrosoft\.com would no longer provably get in/,
    );
    expect(verdict.counterExamples.length).toBeGreaterThan(0);
    expect(verdict.counterExamples.join("\n")).toMatch(/CA000/);
  });

  it("refuses removing the emergency exclusion from a policy the accounts cannot meet", () => {
    const users = { ...(ca001.conditions!.users as object), excludeGroups: [] };
    const block = policyPatch(ca001.id, {
      conditions: { users },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    });
    const { verdict } = lockoutGate({
      before: good.snapshot,
      step: block,
      enrolledAccountIds: accountIds,
      envelope,
    });
    expect(verdict.allowed).toBe(false);
  });

  it("lets a harmless step through, and predicts the state after it", () => {
    const step = policyPatch(dedicated.id, { displayName: "CA000 renamed" });
    const { verdict, after } = lockoutGate({
      before: good.snapshot,
      step,
      enrolledAccountIds: accountIds,
      envelope,
    });
    expect(verdict).toEqual({ stepId: step.id, allowed: true, reasons: [], counterExamples: [] });
    expect(after.conditionalAccessPolicies!.find((p) => p.id === dedicated.id)!.displayName).toBe(
      "CA000 renamed",
    );
    expect(good.snapshot.conditionalAccessPolicies!.find((p) => p.id === dedicated.id)!.displayName).not.toBe(
      "CA000 renamed",
    );
  });

  it("stops a plan at the first refused step", () => {
    const harmless = policyPatch(dedicated.id, { displayName: "x" });
    const bad = {
      ...policyPatch(dedicated.id, {
        grantControls: { operator: "OR", builtInControls: ["block"], authenticationStrength: null },
      }),
      id: "policy.bad",
    };
    const r = gatePlan(clone(good.snapshot), [harmless, bad, harmless], accountIds, envelope);
    expect(r.refused?.stepId).toBe("policy.bad");
  });

  it("lets a plan that only adds the group's exclusions through, in a tenant locked out in more classes than a proof lists", () => {
    // the mid-size sample with the group and the accounts excluded from no other policy: its many
    // lockout classes (high risk blocked for everyone) outnumber the examples a proof lists, so
    // the gate must compare every class, not the first few, or a step that only relaxes a policy
    // shows classes that were there all along as new
    const mid = sample("midsize");
    const s = clone(mid.snapshot);
    const group = mid.config.group!;
    const accounts = s
      .users!.filter((u) => /^cld-(k2j9|w5t1)@/.test(u.userPrincipalName ?? ""))
      .map((u) => u.id);
    const drop = new Set([group, ...accounts]);
    for (const p of s.conditionalAccessPolicies!) {
      const users = p.conditions?.users;
      if (!users || (users.includeGroups ?? []).includes(group)) continue;
      users.excludeGroups = (users.excludeGroups ?? []).filter((id) => !drop.has(id));
      users.excludeUsers = (users.excludeUsers ?? []).filter((id) => !drop.has(id));
    }
    const engine = new CaEngine(s, new Directory(s));
    const admins = proveAllAdmins(engine, { envelope: mid.config.profile.envelope, countWhatIfCalls: false });
    expect(admins.lockoutClasses).toBeGreaterThan(admins.lockouts.length);
    const steps = plan(s, mid.config).filter((x) => x.kind === "exclusions");
    expect(steps.length).toBeGreaterThanOrEqual(21);
    const { refused } = gatePlan(s, steps, accounts, mid.config.profile.envelope);
    expect(refused?.reasons).toBeUndefined();
  });
});
