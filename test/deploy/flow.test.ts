/**
 * The deploy flow on before.json, in memory: create from empty, the waiting steps, adoption of
 * what the first apply created, enrollment opening the gate, and a last plan with no changes.
 */
import { describe, expect, it } from "vitest";
import { derivePlan, summarize } from "../../src/deploy/plan.js";
import { refToken } from "../../src/deploy/types.js";
import { applyInMemory, enrollTwoKeys, ids, plan, sample } from "./support.js";

const before = sample("before");

describe("deploy on a tenant without emergency access", () => {
  const first = derivePlan(before.snapshot, before.config);

  it("creates every object, in apply order, with references between them", () => {
    const steps = first.steps;
    expect(ids(steps).slice(0, 6)).toEqual([
      "accounts.kp7wd",
      "accounts.tr3zm",
      "group.grp-h4821",
      "group.grp-h4821.member.kp7wd",
      "group.grp-h4821.member.tr3zm",
      "strength.strength-h4821",
    ]);
    expect(steps.find((s) => s.id === "policy.ca900-h4821")).toMatchObject({
      action: "create",
      request: { method: "POST", url: "/v1.0/identity/conditionalAccess/policies" },
      needs: ["group.grp-h4821", "strength.strength-h4821"],
    });
    const member = steps.find((s) => s.id === "group.grp-h4821.member.kp7wd")!;
    expect(member.request.url).toBe(`/v1.0/groups/${refToken("group.grp-h4821")}/members/$ref`);
    expect(member.needs.sort()).toEqual(["accounts.kp7wd", "group.grp-h4821"]);
    const account = steps[0]!;
    expect(account.secret).toBe("password");
    expect(JSON.stringify(account)).toContain("{{secret}}");
    expect(account.lookup?.url).toBe(
      "/v1.0/users?$filter=userPrincipalName eq 'kp7wd@northwindtraders.onmicrosoft.com'&$select=id,userPrincipalName",
    );
  });

  it("excludes the group from every other policy that targets users, Microsoft-managed and disabled ones too", () => {
    const patched = first.steps.filter((s) => s.kind === "exclusions").map((s) => s.objectRef.name);
    expect(patched).toHaveLength(before.snapshot.conditionalAccessPolicies!.length);
    expect(patched).toContain(
      "Microsoft-managed: Multifactor authentication for admins accessing Microsoft Admin Portals",
    );
    expect(patched).toContain("NW05 - Azure management - Require MFA (old, off)");
  });

  it("holds activate and role until the accounts are enrolled", () => {
    const waiting = first.steps.filter((s) => s.waiting);
    expect(ids(waiting)).toEqual(["activate.ca900-h4821", "role.grp-h4821"]);
    expect(waiting[0]!.waiting).toMatch(/kp7wd@northwindtraders\.onmicrosoft\.com, tr3zm@/);
    expect(summarize(first.steps).waiting).toBe(2);
  });

  it("after the first apply, plans only the waiting steps; after enrollment and a second apply, no changes", () => {
    const applied = applyInMemory(before.snapshot, first.steps);
    const second = plan(applied, before.config);
    expect(second.every((s) => s.waiting)).toBe(true);
    expect(ids(second)).toEqual(["activate.ca900-h4821", "role.grp-h4821"]);

    const enrolled = enrollTwoKeys(applied, (upn) => /^(kp7wd|tr3zm)@/.test(upn));
    const third = plan(enrolled, before.config);
    expect(third.some((s) => s.waiting)).toBe(false);
    // The TAP method targeted the group for enrollment; once enrolled the group is removed again.
    expect(ids(third)).toEqual(["methods.temporaryaccesspass", "activate.ca900-h4821", "role.grp-h4821"]);
    expect(plan(applyInMemory(enrolled, third), before.config)).toEqual([]);
  });

  it("with restrictedAU, places accounts and group in a restricted unit, created last", () => {
    const config = { ...before.config, profile: { ...before.config.profile, restrictedAU: true } };
    const steps = derivePlan(before.snapshot, config).steps;
    expect(ids(steps).slice(-5)).toEqual([
      "role.grp-h4821",
      "au.au-h4821",
      "au.au-h4821.member.kp7wd",
      "au.au-h4821.member.tr3zm",
      "au.au-h4821.member.group",
    ]);
    expect(steps.at(-4)!.risk).toMatch(/no other administrator can reset/);
  });

  it("--target limits the steps to the kinds named", () => {
    const steps = derivePlan(before.snapshot, before.config, { targets: ["exclusions"] }).steps;
    expect(new Set(steps.map((s) => s.kind))).toEqual(new Set(["exclusions"]));
  });
});
