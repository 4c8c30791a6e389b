import { describe, expect, it } from "vitest";
import { DISCOVERY_THRESHOLD, discoverCandidates, selectCandidates } from "../../src/discover/discover.js";
import { GA, goodTenant } from "../support/tenant.js";

function tenantWithSignals() {
  const g = goodTenant();
  const { t, bg1, bg2, group } = g;
  t.doc.conditionalAccessPolicies.push(
    {
      id: t.newId(),
      displayName: "Require MFA",
      state: "enabled",
      conditions: { users: { includeUsers: ["All"], excludeGroups: [group.id] } },
    },
    {
      id: t.newId(),
      displayName: "Block countries",
      state: "enabledForReportingButNotEnforced",
      conditions: { users: { includeUsers: ["All"], excludeUsers: [bg1.id] } },
    },
  );
  t.doc.azure = {
    scheduledQueryRules: [
      {
        id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/scheduledQueryRules/r1",
        name: "r1",
        type: "Microsoft.Insights/scheduledQueryRules",
        properties: { criteria: { allOf: [{ query: `SigninLogs | where UserId == "${bg2.id}"` }] } },
      },
    ],
  };
  return g;
}

describe("discovery", () => {
  it("ranks candidates by weighted signals, each with its reason", () => {
    const { t, bg1, bg2 } = tenantWithSignals();
    const candidates = discoverCandidates(t.build());
    const one = candidates.find((c) => c.id === bg1.id)!;
    const two = candidates.find((c) => c.id === bg2.id)!;
    expect(one.signals.map((s) => s.signal)).toEqual(
      expect.arrayContaining(["caExclusionPerPolicy", "permanentGlobalAdmin", "noLicence", "noMailbox"]),
    );
    expect(one.signals.find((s) => s.signal === "caExclusionPerPolicy")).toMatchObject({ weight: 20 });
    expect(two.signals.find((s) => s.signal === "alertQuery")?.reason).toContain("alert rule");
    expect(one.score).toBe(one.signals.reduce((n, s) => n + s.weight, 0));
    expect(candidates[0]!.score).toBeGreaterThanOrEqual(candidates[candidates.length - 1]!.score);
  });
  it("does not invent a manager signal when the data has no manager property", () => {
    const { t, bg1 } = tenantWithSignals();
    expect(
      discoverCandidates(t.build())
        .find((c) => c.id === bg1.id)!
        .signals.some((s) => s.signal === "noManager"),
    ).toBe(false);
    t.user(bg1.id).manager = null;
    expect(
      discoverCandidates(t.build())
        .find((c) => c.id === bg1.id)!
        .signals.some((s) => s.signal === "noManager"),
    ).toBe(true);
  });
  it("scores groups named for emergencies", () => {
    const { t, bg1, group } = tenantWithSignals();
    t.group(group.id).description = "Break glass accounts";
    const c = discoverCandidates(t.build()).find((x) => x.id === bg1.id)!;
    expect(c.signals.find((s) => s.signal === "emergencyGroupName")?.reason).toContain("grp-q81");
  });
  it("ignores users whose only signals are weak (no licence, no mailbox)", () => {
    const { t } = tenantWithSignals();
    const plain = t.addUser("svc-print");
    expect(discoverCandidates(t.build()).some((c) => c.id === plain.id)).toBe(false);
  });
  it("does not depend on the order Graph listed users and policies in", () => {
    const { t } = tenantWithSignals();
    const a = discoverCandidates(t.build());
    t.doc.users.reverse();
    t.doc.conditionalAccessPolicies.reverse();
    expect(discoverCandidates(t.build())).toEqual(a);
  });
  it("selects candidates at or above the threshold, at most max", () => {
    const { t } = tenantWithSignals();
    const candidates = discoverCandidates(t.build());
    const { selected, others } = selectCandidates(candidates, 1);
    expect(selected).toHaveLength(1);
    expect(selected[0]!.score).toBeGreaterThanOrEqual(DISCOVERY_THRESHOLD);
    expect(others.length).toBe(candidates.length - 1);
  });
  it("counts an ordinary unlicensed permanent admin below the threshold", () => {
    const { t } = goodTenant();
    const admin = t.addUser("adm-jo");
    t.user(admin.id).manager = null;
    t.assignRole(admin.id, GA);
    const c = discoverCandidates(t.build()).find((x) => x.id === admin.id);
    expect(c!.score).toBeLessThan(DISCOVERY_THRESHOLD);
  });
});
