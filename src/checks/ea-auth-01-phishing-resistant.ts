import { norm } from "../snapshot/directory.js";
import { isHardwareKey, lookupAaguid } from "./aaguid.js";
import {
  defineCheck,
  eachAccount,
  fido2Methods,
  methodKind,
  needsAccounts,
  perAccountNeeds,
} from "./lib/index.js";
import type { Finding } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-AUTH-01",
  title: "Every emergency account has a phishing-resistant method the profile allows",
  severity: "critical",
  sources: ["000", "001", "002", "003", "004"],
  needs: ["users"],
  needsFor: (ctx) => perAccountNeeds(ctx, "authenticationMethods"),
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const { allowedMethods, keysPerAccount } = ctx.config.profile;
    const findings: Finding[] = [];
    for (const { account, user, subject, label, methods } of eachAccount(
      ctx,
      findings,
      "authenticationMethods",
    )) {
      const keys = fido2Methods(methods)
        .sort((a, b) => norm(a.aaGuid).localeCompare(norm(b.aaGuid)) || a.id.localeCompare(b.id))
        .map((m) => ({
          model: lookupAaguid(m.aaGuid).model ?? m.model ?? null,
          aaGuid: m.aaGuid ?? null,
          attestationLevel: m.attestationLevel ?? null,
          hardwareKey: isHardwareKey(m),
        }));
      const hardwareKeys = keys.filter((k) => k.hardwareKey);
      const hello = methods.filter((m) => methodKind(m) === "windowsHelloForBusiness");
      const certIds = user.authorizationInfo?.certificateUserIds ?? [];
      const certKnown = user.authorizationInfo !== undefined;
      const evidence = {
        allowedMethods,
        keysPerAccount,
        fido2: keys,
        windowsHelloForBusiness: hello.length,
        certificateUserIds: certKnown ? certIds.length : null,
      };
      const notes: string[] = [];
      if (allowedMethods.includes("fido2") && hardwareKeys.length)
        notes.push(`${hardwareKeys.length} hardware key${hardwareKeys.length === 1 ? "" : "s"}`);
      if (allowedMethods.includes("windowsHelloForBusiness") && hello.length)
        notes.push(
          "Windows Hello for Business (the tool cannot see whether the device still exists or is cleaned up)",
        );
      if (allowedMethods.includes("x509CertificateMultiFactor") && certIds.length)
        notes.push("a certificate binding (the tool cannot verify the certificate's expiry or revocation)");
      const remediation = {
        summary: `Register ${keysPerAccount} FIDO2 security keys (attested, of two models) on the account, then remove weaker methods`,
        portal:
          "Sign in as the account at https://mysignins.microsoft.com/security-info > Add sign-in method > Security key (a Temporary Access Pass lets a new account register)",
        graph: `GET https://graph.microsoft.com/v1.0/users/${account.id}/authentication/fido2Methods`,
        powershell: `Get-MgUserAuthenticationFido2Method -UserId ${account.id}`,
        command: `breakglass enroll ${account.userPrincipalName ?? account.id}`,
      };
      if (!notes.length) {
        const cannotTell = allowedMethods.includes("x509CertificateMultiFactor") && !certKnown;
        findings.push({
          status: cannotTell ? "unknown" : "fail",
          subject,
          message: cannotTell
            ? `${label}: no allowed phishing-resistant method among the registered ones, and certificate bindings (authorizationInfo) are not in the snapshot`
            : `${label} has no phishing-resistant method the profile allows (${allowedMethods.join(", ")})${keys.length ? `: its FIDO2 methods are not attested hardware keys (${keys.map((k) => k.model ?? k.aaGuid).join(", ")})` : ""}`,
          evidence,
          remediation,
        });
      } else if (allowedMethods.includes("fido2") && hardwareKeys.length < keysPerAccount) {
        findings.push({
          status: "warn",
          subject,
          message: `${label} has ${hardwareKeys.length} hardware key${hardwareKeys.length === 1 ? "" : "s"}, fewer than the ${keysPerAccount} the profile asks for: one lost or broken key locks it out`,
          evidence,
          remediation,
        });
      } else {
        findings.push({ status: "pass", subject, message: `${label}: ${notes.join("; ")}`, evidence });
      }
    }
    return findings;
  },
});
