import { describe, expect, it } from "vitest";
import { assess } from "../../src/checks/registry.js";
import { Config } from "../../src/config/schema.js";
import { GA, TenantBuilder } from "../support/tenant.js";

/**
 * Seed 000's takeover story: one synced emergency account on the custom domain, no MFA but a phone,
 * permanent Global Administrator, SSPR on for admins. The checks must name every step of it.
 */
describe("the seeds' takeover story", () => {
  it("fails the checks that would have stopped it", () => {
    const t = new TenantBuilder({ federated: false });
    const bg = t.addUser("emergency", {
      userPrincipalName: `emergency@${t.customDomain}`,
      displayName: "Emergency Admin",
      onPremisesSyncEnabled: true,
      onPremisesImmutableId: "Zm9vYmFy",
      passwordPolicies: null,
      lastPasswordChangeDateTime: "2023-03-01T00:00:00Z",
    });
    t.addMethod(bg.id, {
      "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
      phoneNumber: "+1 5555550111",
      phoneType: "mobile",
    });
    t.assignRole(bg.id, GA);
    const admin = t.addUser("adele", { userPrincipalName: `adele@${t.customDomain}` });
    t.assignRole(admin.id, GA, { eligible: true });
    t.doc.authorizationPolicy.allowedToUseSSPR = true;
    const results = assess(t.build(), Config.parse({ accounts: [bg.userPrincipalName] }));
    const status = Object.fromEntries(results.map((r) => [r.id, r.status]));
    expect(status).toMatchObject({
      "EA-ACC-01": "fail", // one account
      "EA-ACC-03": "fail", // synchronized
      "EA-ACC-04": "fail", // custom domain
      "EA-ACC-05": "fail", // password expires
      "EA-ACC-06": "fail", // password three years old
      "EA-ACC-08": "fail", // "emergency" in the name
      "EA-ROLE-02": "pass", // permanent GA: what made the takeover worth it
      "EA-AUTH-01": "fail", // no phishing-resistant method
      "EA-AUTH-03": "fail", // a phone
      "EA-AUTH-07": "fail", // SSPR can reset it
    });
  });
});
