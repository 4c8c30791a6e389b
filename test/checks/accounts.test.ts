import { describe, expect, it } from "vitest";
import { resolveAccounts } from "../../src/checks/accounts.js";
import { check as eaAcc01 } from "../../src/checks/ea-acc-01-two-accounts.js";
import { Config } from "../../src/config/schema.js";
import { goodTenant, TenantBuilder } from "../support/tenant.js";

describe("which accounts", () => {
  it("takes the configured accounts, by UPN or id, case-insensitively, in config order", () => {
    const { t, bg1, bg2 } = goodTenant();
    const r = resolveAccounts(
      t.build(),
      Config.parse({ accounts: [bg2.id.toUpperCase(), bg1.userPrincipalName.toUpperCase()] }),
    );
    expect(r.method).toBe("config");
    expect(r.resolved.map((a) => a.id)).toEqual([bg2.id, bg1.id]);
    expect(r.unresolved).toEqual([]);
  });
  it("reports config+group, keeping the accounts authoritative", () => {
    const { t, bg1, group } = goodTenant();
    const r = resolveAccounts(t.build(), Config.parse({ accounts: [bg1.id], group: group.id }));
    expect(r.method).toBe("config+group");
    expect(r.resolved.map((a) => a.id)).toEqual([bg1.id]);
    expect(r.group?.id).toBe(group.id);
  });
  it("takes the group's transitive user members when only the group is configured", () => {
    const { t, bg1, bg2, group } = goodTenant();
    const nested = t.addGroup("nested", {}, []);
    const bg3 = t.addUser("a0000");
    t.addMember(nested.id, bg3.id);
    t.addMember(group.id, nested.id);
    const r = resolveAccounts(t.build(), Config.parse({ group: group.displayName }));
    expect(r.method).toBe("group");
    // sorted by UPN, whatever order Graph listed the members in
    expect(r.resolved.map((a) => a.id)).toEqual([bg3.id, bg1.id, bg2.id]);
  });
  it("says when a configured account is in the recycle bin and until when it can be restored", () => {
    const { t, bg1 } = goodTenant();
    const ghostId = t.newId();
    t.doc.deletedUsers.push({
      id: ghostId,
      userPrincipalName: `${ghostId.replace(/-/g, "")}ghost@contoso.onmicrosoft.com`,
      deletedDateTime: "2026-10-20T09:30:00Z",
    });
    t.config = { accounts: [bg1.id, "ghost@contoso.onmicrosoft.com", "nobody@contoso.onmicrosoft.com"] };
    const r = resolveAccounts(t.build(), t.configObject());
    expect(r.unresolved).toEqual([
      {
        ref: "ghost@contoso.onmicrosoft.com",
        deleted: true,
        restorableUntil: "2026-11-19T09:30:00.000Z",
        id: ghostId,
      },
      { ref: "nobody@contoso.onmicrosoft.com", deleted: false },
    ]);
    const result = t.run(eaAcc01);
    expect(result.status).toBe("fail");
    const ghost = result.findings.find((f) => f.subject?.id === "ghost@contoso.onmicrosoft.com");
    expect(ghost?.message).toContain("recycle bin");
    expect(ghost?.message).toContain("2026-11-19T09:30:00.000Z");
    expect(ghost?.remediation?.graph).toContain(`/directory/deletedItems/${ghostId}/restore`);
  });
  it("does not claim an account is absent from the recycle bin when the bin was not read", () => {
    const t = new TenantBuilder();
    t.unavailable("deletedUsers", "403 Forbidden");
    const r = resolveAccounts(t.build(), Config.parse({ accounts: ["ghost@contoso.onmicrosoft.com"] }));
    expect(r.unresolved).toEqual([{ ref: "ghost@contoso.onmicrosoft.com" }]);
  });
  it("falls back to discovery and lists every candidate, selected or not", () => {
    const { t, bg1, bg2, group } = goodTenant();
    t.doc.conditionalAccessPolicies.push(
      {
        id: t.newId(),
        displayName: "Require MFA",
        state: "enabled",
        conditions: { users: { includeUsers: ["All"], excludeGroups: [group.id] } },
      },
      {
        id: t.newId(),
        displayName: "Block legacy",
        state: "enabled",
        conditions: { users: { includeUsers: ["All"], excludeUsers: [bg1.id, bg2.id] } },
      },
    );
    const r = resolveAccounts(t.build(), Config.parse({}));
    expect(r.method).toBe("discovered");
    expect(r.resolved.map((a) => a.id).sort()).toEqual([bg1.id, bg2.id].sort());
    expect(r.candidates?.every((c) => c.selected === r.resolved.some((a) => a.id === c.id))).toBe(true);
  });
});

describe("config+group mismatch", () => {
  it("keeps the configured accounts authoritative and lets EA-ROLE-03 name both sides of the mismatch", async () => {
    const { check: role03 } = await import("../../src/checks/ea-role-03-protected-group.js");
    const { t, bg1, bg2, group, admin } = goodTenant();
    t.group(group.id).members = [
      { "@odata.type": "#microsoft.graph.user", id: bg1.id },
      { "@odata.type": "#microsoft.graph.user", id: admin.id },
    ];
    const r = resolveAccounts(t.build(), t.configObject());
    expect(r.method).toBe("config+group");
    expect(r.resolved.map((a) => a.id)).toEqual([bg1.id, bg2.id]);
    const result = t.run(role03);
    expect(result.status).toBe("fail");
    const failed = result.findings.filter((f) => f.status === "fail");
    expect(failed.find((f) => f.subject?.id === bg2.id)?.message).toContain("not a member");
    expect(failed.find((f) => f.subject?.id === admin.id)?.message).toContain(
      "not a configured emergency account",
    );
  });
});
