import { describe, expect, it } from "vitest";
import { check as acc01 } from "../../src/checks/ea-acc-01-two-accounts.js";
import { check as acc02 } from "../../src/checks/ea-acc-02-enabled.js";
import { check as acc03 } from "../../src/checks/ea-acc-03-cloud-only.js";
import { check as acc04 } from "../../src/checks/ea-acc-04-initial-domain.js";
import { goodTenant } from "../support/tenant.js";

describe("EA-ACC-01 enough accounts", () => {
  it("passes with two configured accounts", () => {
    expect(goodTenant().t.run(acc01).status).toBe("pass");
  });
  it("fails below accountCount.min and warns above max", () => {
    const { t, bg1 } = goodTenant();
    t.config = { accounts: [bg1.id] };
    expect(t.run(acc01)).toMatchObject({ status: "fail" });
    t.config = { accounts: [bg1.id], profile: { accountCount: { min: 1, max: 4 } } };
    expect(t.run(acc01).status).toBe("pass");
    const { t: t2, bg1: a, bg2: b } = goodTenant();
    t2.config = { accounts: [a.id, b.id], profile: { accountCount: { min: 1, max: 1 } } };
    expect(t2.run(acc01).status).toBe("warn");
  });
  it("fails a configured group that does not resolve", () => {
    const { t } = goodTenant();
    t.config = { ...t.config, group: "no-such-group" };
    const r = t.run(acc01);
    expect(r.status).toBe("fail");
    expect(r.findings.some((f) => f.message.includes("no-such-group"))).toBe(true);
  });
  it("is unknown, not a failure, when the users could not be read", () => {
    const { t } = goodTenant();
    t.unavailable("users", "403 Forbidden: User.Read.All not granted");
    const r = t.run(acc01);
    expect(r.status).toBe("unknown");
    expect(r.reason).toContain("User.Read.All");
  });
  it("is never skipped: with neither accounts nor discovery results it fails", () => {
    const { t } = goodTenant();
    t.config = {};
    expect(t.run(acc01).status).toBe("fail");
  });
  it("applies always: it is skipped only when the config turns it off, with the reason", () => {
    const { t } = goodTenant();
    t.config = {
      ...t.config,
      checks: { "EA-ACC-01": { enabled: false, reason: "accounts managed elsewhere" } },
    };
    expect(t.run(acc01)).toMatchObject({
      status: "skip",
      reason: "disabled in config: accounts managed elsewhere",
    });
  });
  it("does not fail a discovery that could not read what it ranks by", () => {
    const { t } = goodTenant();
    t.config = {};
    t.unavailable("conditionalAccessPolicies", "403 Forbidden: Policy.Read.All");
    expect(t.run(acc01).status).toBe("unknown");
  });
});

describe("EA-ACC-02 enabled", () => {
  it("passes enabled accounts", () => expect(goodTenant().t.run(acc02).status).toBe("pass"));
  it("fails a disabled account, naming it", () => {
    const { t, bg2 } = goodTenant();
    t.user(bg2.id).accountEnabled = false;
    const r = t.run(acc02);
    expect(r.status).toBe("fail");
    expect(r.findings.find((f) => f.status === "fail")?.subject?.id).toBe(bg2.id);
  });
  it("skips when no account resolved", () => {
    const { t } = goodTenant();
    t.config = { accounts: ["nobody@contoso.onmicrosoft.com"] };
    expect(t.run(acc02)).toMatchObject({ status: "skip" });
    expect(t.run(acc02).reason).toContain("EA-ACC-01");
  });
  it("is unknown when users are unreadable or accountEnabled is missing", () => {
    const { t, bg1 } = goodTenant();
    delete t.user(bg1.id).accountEnabled;
    expect(t.run(acc02).status).toBe("unknown");
    const { t: t2 } = goodTenant();
    t2.unavailable("users");
    expect(t2.run(acc02).status).toBe("unknown");
  });
});

describe("EA-ACC-03 cloud-only", () => {
  it("passes cloud-only members", () => expect(goodTenant().t.run(acc03).status).toBe("pass"));
  it("fails a synchronized account and says why", () => {
    const { t, bg1 } = goodTenant();
    Object.assign(t.user(bg1.id), { onPremisesSyncEnabled: true, onPremisesImmutableId: "abc==" });
    const r = t.run(acc03);
    expect(r.status).toBe("fail");
    expect(r.findings[0]!.evidence).toMatchObject({
      onPremisesSyncEnabled: true,
      onPremisesImmutableId: "abc==",
    });
  });
  it("fails a guest and an external identity", () => {
    const { t, bg1, bg2 } = goodTenant();
    t.user(bg1.id).userType = "Guest";
    t.user(bg2.id).identities.push({
      signInType: "federated",
      issuer: "ExternalAzureAD",
      issuerAssignedId: null,
    });
    expect(t.run(acc03).findings.filter((f) => f.status === "fail")).toHaveLength(2);
  });
  it("skips without accounts, is unknown without users", () => {
    const { t } = goodTenant();
    t.config = { accounts: ["nobody@contoso.onmicrosoft.com"] };
    expect(t.run(acc03).status).toBe("skip");
    const { t: t2 } = goodTenant();
    t2.unavailable("users");
    expect(t2.run(acc03).status).toBe("unknown");
  });
});

describe("EA-ACC-04 initial domain", () => {
  it("passes accounts on the initial domain", () => expect(goodTenant().t.run(acc04).status).toBe("pass"));
  it("fails a custom domain, and is critical when it is federated", () => {
    const { t, bg1 } = goodTenant();
    t.user(bg1.id).userPrincipalName = "k7q2m@contoso.com";
    t.config = { accounts: ["k7q2m@contoso.com"], profile: { accountCount: { min: 1, max: 4 } } };
    const managed = t.run(acc04);
    expect(managed.status).toBe("fail");
    expect(managed.findings[0]!.severity).toBeUndefined();
    const { t: t2, bg1: b } = goodTenant({ federated: true });
    t2.user(b.id).userPrincipalName = "k7q2m@contoso.com";
    t2.config = { accounts: [b.id], profile: { accountCount: { min: 1, max: 4 } } };
    const fed = t2.run(acc04);
    expect(fed.findings.find((f) => f.status === "fail")).toMatchObject({ severity: "critical" });
  });
  it("skips without accounts; unknown when domains are unreadable", () => {
    const { t } = goodTenant();
    t.config = { accounts: ["nobody@contoso.onmicrosoft.com"] };
    expect(t.run(acc04).status).toBe("skip");
    const { t: t2 } = goodTenant();
    t2.unavailable("domains", "403 Forbidden");
    expect(t2.run(acc04).status).toBe("unknown");
  });
});
