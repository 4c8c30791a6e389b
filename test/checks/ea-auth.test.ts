import { describe, expect, it } from "vitest";
import { check as auth01 } from "../../src/checks/ea-auth-01-phishing-resistant.js";
import { check as auth02 } from "../../src/checks/ea-auth-02-key-diversity.js";
import { check as auth03 } from "../../src/checks/ea-auth-03-no-phishable-methods.js";
import { check as auth04 } from "../../src/checks/ea-auth-04-independent-methods.js";
import { check as auth05 } from "../../src/checks/ea-auth-05-methods-policy.js";
import { check as auth06 } from "../../src/checks/ea-auth-06-per-user-mfa.js";
import { check as auth07 } from "../../src/checks/ea-auth-07-sspr.js";
import { check as auth08 } from "../../src/checks/ea-auth-08-no-tap.js";
import { check as auth09 } from "../../src/checks/ea-auth-09-registration-campaigns.js";
import { check as auth10 } from "../../src/checks/ea-auth-10-not-at-risk.js";
import type { Check } from "../../src/checks/types.js";
import { goodTenant, KEYS, type Json } from "../support/tenant.js";

type Good = ReturnType<typeof goodTenant>;

/** The per-account case every method check must meet: a fail on readable data stands beside unreadable data. */
function failBesideUnreadable(
  check: Check,
  breakIt: (g: Good) => void,
  relationship = "authenticationMethods",
  setup: (g: Good) => void = () => {},
) {
  it("lets a fail on one account's readable data stand beside another's unreadable data", () => {
    const g = goodTenant();
    setup(g);
    breakIt(g);
    g.t.unavailable(`users[${g.bg2.id}].${relationship}`, "429 after 6 retries");
    const r = g.t.run(check);
    expect(r.status).toBe("fail");
    expect(r.findings.find((f) => f.subject?.id === g.bg2.id)?.status).toBe("unknown");
    const clean = goodTenant();
    setup(clean);
    clean.t.unavailable(`users[${clean.bg2.id}].${relationship}`, "429 after 6 retries");
    expect(clean.t.run(check).status).toBe("unknown");
  });
}

const noAccounts = (check: Check) =>
  it("skips when no account resolved", () => {
    const { t } = goodTenant();
    t.config = { accounts: ["nobody@contoso.onmicrosoft.com"] };
    expect(t.run(check).status).toBe("skip");
  });

describe("EA-AUTH-01 phishing-resistant method", () => {
  it("passes two attested hardware keys per account", () =>
    expect(goodTenant().t.run(auth01).status).toBe("pass"));
  it("fails an account with only an Authenticator passkey, warns below keysPerAccount", () => {
    const { t, bg1, bg2 } = goodTenant();
    t.removeMethods(bg1.id, "fido2");
    t.addKey(bg1.id, KEYS.authenticatorIos);
    t.removeMethods(bg2.id, "fido2");
    t.addKey(bg2.id, KEYS.yubikey5Nfc);
    const r = t.run(auth01);
    expect(r.findings.find((f) => f.subject?.id === bg1.id)?.status).toBe("fail");
    expect(r.findings.find((f) => f.subject?.id === bg2.id)?.status).toBe("warn");
    t.config = { ...t.config, profile: { keysPerAccount: 1 } };
    expect(t.run(auth01).findings.find((f) => f.subject?.id === bg2.id)?.status).toBe("pass");
  });
  it("does not count an unattested key", () => {
    const { t, bg1 } = goodTenant();
    t.removeMethods(bg1.id, "fido2");
    t.addKey(bg1.id, KEYS.yubikey5Nfc, "notAttested");
    expect(t.run(auth01).status).toBe("fail");
  });
  it("accepts Windows Hello for Business when allowedMethods names it, with a note", () => {
    const { t, bg1 } = goodTenant();
    t.removeMethods(bg1.id, "fido2");
    t.addMethod(bg1.id, {
      "@odata.type": "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
      displayName: "PAW-01",
    });
    t.config = { ...t.config, profile: { allowedMethods: ["windowsHelloForBusiness"] } };
    const f = t.run(auth01).findings.find((x) => x.subject?.id === bg1.id);
    expect(f?.status).toBe("pass");
    expect(f?.message).toContain("cannot see");
    // with FIDO2 allowed too, fewer hardware keys than keysPerAccount still warns
    t.config = {
      ...t.config,
      profile: { allowedMethods: ["fido2", "windowsHelloForBusiness"], keysPerAccount: 1 },
    };
    expect(t.run(auth01).findings.find((x) => x.subject?.id === bg1.id)?.status).toBe("warn");
  });
  noAccounts(auth01);
  failBesideUnreadable(auth01, ({ t, bg1 }) => t.removeMethods(bg1.id, "fido2"));
});

describe("EA-AUTH-02 key diversity", () => {
  it("passes two models of two vendors", () => expect(goodTenant().t.run(auth02).status).toBe("pass"));
  it("fails one model, warns one vendor", () => {
    const { t, bg1, bg2 } = goodTenant();
    t.removeMethods(bg1.id, "fido2");
    t.addKey(bg1.id, KEYS.yubikey5Nfc);
    t.addKey(bg1.id, KEYS.yubikey5Nfc);
    t.removeMethods(bg2.id, "fido2");
    t.addKey(bg2.id, KEYS.yubikey5Nfc);
    t.addKey(bg2.id, KEYS.yubikeyBio);
    const r = t.run(auth02);
    expect(r.findings.find((f) => f.subject?.id === bg1.id)?.status).toBe("fail");
    expect(r.findings.find((f) => f.subject?.id === bg2.id)?.status).toBe("warn");
  });
  it("skips when keysPerAccount is 1", () => {
    const { t } = goodTenant();
    t.config = { ...t.config, profile: { keysPerAccount: 1 } };
    expect(t.run(auth02).reason).toContain("keysPerAccount");
  });
  failBesideUnreadable(auth02, ({ t, bg1 }) => t.removeMethods(bg1.id, "fido2"));
});

describe("EA-AUTH-03 no phishable or personal methods", () => {
  it("passes hardware keys and a password", () => expect(goodTenant().t.run(auth03).status).toBe("pass"));
  it("fails phone, Authenticator passkey, synced passkey and recovery data", () => {
    const { t, bg1, bg2 } = goodTenant();
    t.addMethod(bg1.id, {
      "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
      phoneNumber: "+1 5555550199",
      phoneType: "mobile",
    });
    t.addKey(bg2.id, KEYS.iCloudKeychain, "notAttested");
    const r = t.run(auth03);
    expect(r.findings.filter((f) => f.status === "fail")).toHaveLength(2);
    expect(r.findings.find((f) => f.subject?.id === bg1.id)?.remediation?.graph).toMatch(/phoneMethods\//);
    const g = goodTenant();
    g.t.user(g.bg1.id).otherMails = ["someone@gmail.com"];
    expect(g.t.run(auth03).status).toBe("fail");
    const h = goodTenant();
    h.t.addKey(h.bg1.id, KEYS.authenticatorAndroid);
    expect(h.t.run(auth03).findings.find((f) => f.subject?.id === h.bg1.id)?.message).toContain(
      "Microsoft Authenticator",
    );
  });
  it("fails recovery data on the user even when its methods are unreadable", () => {
    const { t, bg2 } = goodTenant();
    t.user(bg2.id).mobilePhone = "+1 5555550142";
    t.unavailable(`users[${bg2.id}].authenticationMethods`, "429");
    expect(t.run(auth03).status).toBe("fail");
  });
  noAccounts(auth03);
  failBesideUnreadable(auth03, ({ t, bg1 }) =>
    t.addMethod(bg1.id, {
      "@odata.type": "#microsoft.graph.emailAuthenticationMethod",
      emailAddress: "x@example.com",
    }),
  );
});

describe("EA-AUTH-04 independent of everyday admins", () => {
  it("passes when admins use other kinds of method", () =>
    expect(goodTenant().t.run(auth04).status).toBe("pass"));
  it("fails a shared key model, warns the same kind of method", () => {
    const { t, admin } = goodTenant();
    t.addKey(admin.id, KEYS.yubikey5Nfc);
    expect(t.run(auth04).status).toBe("fail");
    const g = goodTenant();
    g.t.addKey(g.admin.id, KEYS.yubikeyBio);
    expect(g.t.run(auth04).status).toBe("warn");
  });
  it("fails a shared phone number", () => {
    const { t, bg1 } = goodTenant();
    t.addMethod(bg1.id, {
      "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
      phoneNumber: "+1 555 555 0100",
      phoneType: "mobile",
    });
    expect(t.run(auth04).findings.find((f) => f.subject?.id === bg1.id)?.message).toContain("phone number");
  });
  it("fails a passkey in Microsoft Authenticator on an everyday admin's phone", () => {
    const { t, bg1 } = goodTenant();
    // the admin's Authenticator app is registered on "Adele's iPhone"; the passkey names the same phone
    const passkey = (displayName: string) => ({
      "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
      displayName,
      aaGuid: KEYS.authenticatorIos.aaGuid,
      model: KEYS.authenticatorIos.model,
      attestationCertificates: [],
      attestationLevel: "notAttested",
    });
    t.addMethod(bg1.id, passkey("Adele's iPhone"));
    const finding = t.run(auth04).findings.find((f) => f.subject?.id === bg1.id);
    expect(finding?.status).toBe("fail");
    expect(finding?.message).toContain("Authenticator device");
    // the same kind of passkey on a phone no admin uses is not a shared device
    const other = goodTenant();
    other.t.addMethod(other.bg1.id, passkey("Spare phone in the safe"));
    expect(other.t.run(auth04).findings.find((f) => f.subject?.id === other.bg1.id)?.message).not.toContain(
      "Authenticator device",
    );
  });
  describe("an admin whose methods were not read, decided by the registration report", () => {
    /** Adele's methods not read (export skipped her); the report says what she registered. */
    const unread = (methodsRegistered: string[] | undefined) => {
      const g = goodTenant();
      delete g.t.user(g.admin.id).authenticationMethods;
      if (methodsRegistered)
        g.t.doc.registrationDetails = [
          { id: g.admin.id, userPrincipalName: g.admin.userPrincipalName, methodsRegistered },
        ];
      return g;
    };
    it("passes when the row shows none of the kinds the accounts hold (they hold FIDO2 keys)", () => {
      const { t } = unread(["microsoftAuthenticatorPush", "mobilePhone", "softwareOneTimePasscode"]);
      const r = t.run(auth04);
      expect(r.status).toBe("pass");
      expect(r.findings.every((f) => f.evidence?.ruledOutByRegistration === 1)).toBe(true);
    });
    it("is unknown when the row shows a kind the accounts hold: her key could be the same model", () => {
      expect(unread(["microsoftAuthenticatorPush", "passKeyDeviceBound"]).t.run(auth04).status).toBe(
        "unknown",
      );
      expect(unread(["fido2"]).t.run(auth04).status).toBe("unknown");
    });
    it("is unknown when the row holds a value it does not know, or there is no row", () => {
      expect(unread(["someFutureMethod"]).t.run(auth04).status).toBe("unknown");
      expect(unread(undefined).t.run(auth04).status).toBe("unknown");
      const other = unread(["mobilePhone"]);
      other.t.doc.registrationDetails[0].id = other.secAdmin.id;
      expect(other.t.run(auth04).status).toBe("unknown");
    });
    it("is unknown when the report itself is listed unreadable", () => {
      const { t } = unread(["mobilePhone"]);
      t.unavailable("registrationDetails", "403 Forbidden");
      expect(t.run(auth04).status).toBe("unknown");
    });
    it("a phone on the row counts once an account holds a phone", () => {
      const { t, bg1 } = unread(["mobilePhone"]);
      t.addMethod(bg1.id, {
        "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
        phoneNumber: "+1 555 555 0199",
        phoneType: "mobile",
      });
      expect(t.run(auth04).status).toBe("unknown");
    });
    it("a fail on another admin's methods still fails", () => {
      const { t, secAdmin } = unread(["microsoftAuthenticatorPush", "mobilePhone"]);
      t.addKey(secAdmin.id, KEYS.yubikey5Nfc);
      expect(t.run(auth04).status).toBe("fail");
    });
  });
  it("skips when no other privileged user exists", () => {
    const { t, admin, secAdmin } = goodTenant();
    t.doc.roleEligibilitySchedules = t.doc.roleEligibilitySchedules.filter(
      (a: Json) => a.principalId !== admin.id,
    );
    t.doc.roleAssignments = t.doc.roleAssignments.filter((a: Json) => a.principalId !== secAdmin.id);
    t.doc.roleAssignmentSchedules = t.doc.roleAssignmentSchedules.filter(
      (a: Json) => a.principalId !== secAdmin.id,
    );
    expect(t.run(auth04).reason).toContain("no privileged user");
  });
  it("is unknown when an admin's methods are unreadable; a proven share still fails", () => {
    const { t, admin, secAdmin } = goodTenant();
    t.unavailable(`users[${admin.id}].authenticationMethods`, "403");
    expect(t.run(auth04).status).toBe("unknown");
    t.addKey(secAdmin.id, KEYS.feitianBioPass);
    expect(t.run(auth04).status).toBe("fail");
  });
  failBesideUnreadable(auth04, ({ t, admin }) => void t.addKey(admin.id, KEYS.yubikey5Nfc));
});

describe("EA-AUTH-05 methods policy lets the keys work", () => {
  it("passes FIDO2 enabled for all users", () => expect(goodTenant().t.run(auth05).status).toBe("pass"));
  it("fails FIDO2 disabled, and an account excluded through a group", () => {
    const { t } = goodTenant();
    t.methodConfig("Fido2").state = "disabled";
    expect(t.run(auth05).status).toBe("fail");
    const g = goodTenant();
    g.t.methodConfig("Fido2").excludeTargets = [{ targetType: "group", id: g.group.id }];
    expect(g.t.run(auth05).findings.filter((f) => f.status === "fail")).toHaveLength(2);
  });
  it("grades every method configuration allowedMethods names", () => {
    const { t } = goodTenant();
    t.config = { ...t.config, profile: { allowedMethods: ["fido2", "x509CertificateMultiFactor"] } };
    const r = t.run(auth05);
    expect(r.status).toBe("fail");
    expect(r.findings.find((f) => f.status === "fail")?.message).toContain("X509Certificate");
    t.config = { ...t.config, profile: { allowedMethods: ["windowsHelloForBusiness"] } };
    expect(t.run(auth05).reason).toContain("Windows Hello");
  });
  it("fails a key restriction that refuses a registered key", () => {
    const { t } = goodTenant();
    t.methodConfig("Fido2").keyRestrictions = {
      isEnforced: true,
      enforcementType: "allow",
      aaGuids: [KEYS.yubikey5Nfc.aaGuid],
    };
    const r = t.run(auth05);
    expect(r.status).toBe("fail");
    expect(r.findings[0]!.message).toContain("Feitian");
  });
  it("skips without accounts; unknown without the methods policy", () => {
    const { t } = goodTenant();
    t.config = { accounts: ["nobody@contoso.onmicrosoft.com"] };
    expect(t.run(auth05).status).toBe("skip");
    const g = goodTenant();
    g.t.unavailable("authenticationMethodsPolicy", "403 Forbidden: Policy.Read.AuthenticationMethod");
    expect(g.t.run(auth05).status).toBe("unknown");
  });
  it("needs the accounts' keys only when a restriction is enforced, and a refused key fails beside unreadable data", () => {
    const { t, bg1, bg2 } = goodTenant();
    t.unavailable(`users[${bg2.id}].authenticationMethods`, "429");
    expect(t.run(auth05).status).toBe("pass");
    t.methodConfig("Fido2").keyRestrictions = {
      isEnforced: true,
      enforcementType: "block",
      aaGuids: [KEYS.feitianBioPass.aaGuid],
    };
    const r = t.run(auth05);
    expect(r.status).toBe("fail");
    expect(r.findings.find((f) => f.subject?.id === bg1.id)?.status).toBe("fail");
    expect(r.findings.find((f) => f.subject?.id === bg2.id)?.status).toBe("unknown");
  });
});

describe("EA-AUTH-06 per-user MFA", () => {
  it("passes disabled per-user MFA", () => expect(goodTenant().t.run(auth06).status).toBe("pass"));
  it("fails enforced per-user MFA", () => {
    const { t, bg1 } = goodTenant();
    t.user(bg1.id).perUserMfaState = "enforced";
    expect(t.run(auth06).status).toBe("fail");
  });
  noAccounts(auth06);
  failBesideUnreadable(
    auth06,
    ({ t, bg1 }) => void (t.user(bg1.id).perUserMfaState = "enabled"),
    "perUserMfaState",
  );
});

describe("EA-AUTH-07 SSPR", () => {
  it("passes with SSPR off for admins, or on without usable methods", () => {
    const { t } = goodTenant();
    expect(t.run(auth07).status).toBe("pass");
    t.doc.authorizationPolicy.allowedToUseSSPR = true;
    expect(t.run(auth07).status).toBe("pass");
  });
  it("fails when admins may use SSPR and an account has a phone", () => {
    const { t, bg1 } = goodTenant();
    t.doc.authorizationPolicy.allowedToUseSSPR = true;
    t.addMethod(bg1.id, {
      "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
      phoneNumber: "+1 5555550199",
      phoneType: "mobile",
    });
    expect(t.run(auth07).status).toBe("fail");
  });
  it("does not need the methods when SSPR is off for admins", () => {
    const { t, bg2 } = goodTenant();
    t.unavailable(`users[${bg2.id}].authenticationMethods`, "429");
    expect(t.run(auth07).status).toBe("pass");
  });
  noAccounts(auth07);
  it("is unknown without the authorization policy", () => {
    const { t } = goodTenant();
    t.unavailable("authorizationPolicy", "403");
    expect(t.run(auth07).status).toBe("unknown");
  });
  describe("with SSPR on for admins", () => {
    failBesideUnreadable(
      auth07,
      ({ t, bg1 }) =>
        void t.addMethod(bg1.id, {
          "@odata.type": "#microsoft.graph.emailAuthenticationMethod",
          emailAddress: "x@example.com",
        }),
      "authenticationMethods",
      ({ t }) => void (t.doc.authorizationPolicy.allowedToUseSSPR = true),
    );
  });
});

describe("EA-AUTH-08 Temporary Access Pass", () => {
  const tap = (over: Json = {}) => ({
    "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
    createdDateTime: "2026-11-01T09:00:00Z",
    startDateTime: "2026-11-01T09:00:00Z",
    lifetimeInMinutes: 480,
    isUsableOnce: false,
    ...over,
  });
  it("passes without a TAP, or with an expired one", () => {
    const { t, bg1 } = goodTenant();
    expect(t.run(auth08).status).toBe("pass");
    t.addMethod(bg1.id, tap({ isUsable: false, methodUsabilityReason: "Expired" }));
    t.addMethod(bg1.id, tap({ startDateTime: "2026-10-01T00:00:00Z", lifetimeInMinutes: 60 }));
    expect(t.run(auth08).status).toBe("pass");
  });
  it("fails a usable TAP, judged against the snapshot's time", () => {
    const { t, bg1 } = goodTenant();
    t.addMethod(bg1.id, tap());
    const r = t.run(auth08);
    expect(r.status).toBe("fail");
    expect(r.findings[0]!.remediation?.graph).toContain("temporaryAccessPassMethods/");
  });
  noAccounts(auth08);
  failBesideUnreadable(auth08, ({ t, bg1 }) => void t.addMethod(bg1.id, tap({ isUsable: true })));
});

describe("EA-AUTH-09 registration campaigns", () => {
  it("passes with the campaign disabled, or the group excluded", () => {
    const { t, group } = goodTenant();
    expect(t.run(auth09).status).toBe("pass");
    const c =
      t.doc.authenticationMethodsPolicy.registrationEnforcement.authenticationMethodsRegistrationCampaign;
    c.state = "enabled";
    c.excludeTargets = [{ id: group.id, targetType: "group" }];
    expect(t.run(auth09).status).toBe("pass");
  });
  it("fails an enabled or Microsoft-managed campaign that reaches the accounts, and forced registration", () => {
    const { t } = goodTenant();
    t.doc.authenticationMethodsPolicy.registrationEnforcement.authenticationMethodsRegistrationCampaign.state =
      "default";
    expect(t.run(auth09).status).toBe("fail");
    const g = goodTenant();
    g.t.methodConfig("MicrosoftAuthenticator").includeTargets[0].isRegistrationRequired = true;
    expect(g.t.run(auth09).findings[0]!.message).toContain("MicrosoftAuthenticator requires registration");
  });
  noAccounts(auth09);
  it("is unknown without the methods policy", () => {
    const { t } = goodTenant();
    t.unavailable("authenticationMethodsPolicy", "403");
    expect(t.run(auth09).status).toBe("unknown");
  });
  it("is unknown, never pass, when the policy came without its registration campaign", () => {
    for (const damage of [null, undefined, {}]) {
      const { t } = goodTenant();
      t.doc.authenticationMethodsPolicy.registrationEnforcement = damage;
      expect(t.run(auth09).status, String(damage)).toBe("unknown");
    }
  });
  it("still fails forced registration when the campaign was not read", () => {
    const { t } = goodTenant();
    t.doc.authenticationMethodsPolicy.registrationEnforcement = null;
    t.methodConfig("MicrosoftAuthenticator").includeTargets[0].isRegistrationRequired = true;
    expect(t.run(auth09).status).toBe("fail");
  });
});

describe("EA-AUTH-10 not at risk", () => {
  it("passes no risk, or remediated risk", () => {
    const { t, bg1 } = goodTenant();
    expect(t.run(auth10).status).toBe("pass");
    t.doc.riskyUsers.push({ id: bg1.id, riskLevel: "high", riskState: "remediated" });
    expect(t.run(auth10).status).toBe("pass");
  });
  it("fails an account at risk", () => {
    const { t, bg2 } = goodTenant();
    t.doc.riskyUsers.push({
      id: bg2.id.toUpperCase(),
      riskLevel: "medium",
      riskState: "atRisk",
      riskLastUpdatedDateTime: "2026-10-30T00:00:00Z",
    });
    const r = t.run(auth10);
    expect(r.status).toBe("fail");
    expect(r.findings.find((f) => f.status === "fail")?.subject?.id).toBe(bg2.id);
  });
  it("skips without P2 (the riskyUsers API needs it)", () => {
    expect(goodTenant({ licence: "P1" }).t.run(auth10).reason).toContain("P2");
  });
  it("is unknown when risky users are unreadable", () => {
    const { t } = goodTenant();
    t.unavailable("riskyUsers", "403 Forbidden: IdentityRiskyUser.Read.All");
    expect(t.run(auth10).status).toBe("unknown");
  });
});

describe("relationships that were not collected are never read as empty", () => {
  it("EA-AUTH-04 is unknown when a privileged user's methods were not collected", () => {
    const { t, admin } = goodTenant();
    delete t.user(admin.id).authenticationMethods;
    expect(t.run(auth04).status).toBe("unknown");
  });
  it("EA-AUTH-01 is unknown when an account's methods were not collected", () => {
    const { t, bg1 } = goodTenant();
    delete t.user(bg1.id).authenticationMethods;
    expect(t.run(auth01).status).toBe("unknown");
  });
});
