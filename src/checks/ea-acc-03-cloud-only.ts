import { norm } from "../snapshot/directory.js";
import { isAvailable } from "../snapshot/availability.js";
import { defineCheck, eachAccount, needsAccounts, sortedUnique } from "./lib/index.js";
import type { Finding } from "./types.js";

/** Issuers Entra uses for identities that come from outside the tenant. */
const EXTERNAL_ISSUERS = new Set([
  "externalazuread",
  "microsoftaccount",
  "mail",
  "facebook.com",
  "google.com",
]);

export const check = defineCheck(import.meta.url, {
  id: "EA-ACC-03",
  title: "Every emergency account is a cloud-only member account",
  severity: "critical",
  sources: ["000", "001", "003", "004"],
  needs: ["users", "domains"],
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const tenantDomains = isAvailable(ctx.snapshot, "domains")
      ? new Set((ctx.snapshot.domains ?? []).map((d) => norm(d.id)))
      : undefined;
    const findings: Finding[] = [];
    for (const { user, subject, label } of eachAccount(ctx, findings)) {
      const problems: string[] = [];
      const externalIdentities = (user.identities ?? []).filter((i) => {
        const issuer = norm(i.issuer);
        if (i.signInType === "federated" || EXTERNAL_ISSUERS.has(issuer)) return true;
        return tenantDomains !== undefined && issuer.includes(".") && !tenantDomains.has(issuer);
      });
      if (user.onPremisesSyncEnabled === true)
        problems.push("it is synchronized from on-premises Active Directory (onPremisesSyncEnabled = true)");
      if (user.onPremisesImmutableId)
        problems.push(
          `it is linked to an on-premises identity (onPremisesImmutableId = ${user.onPremisesImmutableId})`,
        );
      if (user.userType && user.userType !== "Member")
        problems.push(`it is a ${user.userType}, not a Member`);
      if (externalIdentities.length)
        problems.push(
          `it signs in with an identity from an external issuer (${sortedUnique(externalIdentities.map((i) => i.issuer ?? i.signInType ?? "?")).join(", ")})`,
        );
      const evidence = {
        onPremisesSyncEnabled: user.onPremisesSyncEnabled ?? null,
        onPremisesImmutableId: user.onPremisesImmutableId ?? null,
        userType: user.userType ?? null,
        identities: (user.identities ?? []).map((i) => ({
          signInType: i.signInType ?? null,
          issuer: i.issuer ?? null,
        })),
      };
      if (problems.length) {
        findings.push({
          status: "fail",
          subject,
          message: `${label} is not cloud-only: ${problems.join("; ")}. Whoever controls the source directory controls this account`,
          evidence,
          remediation: {
            summary:
              "Replace it with a new cloud-only member account (an account cannot be made cloud-only safely while it syncs); then delete this one",
            portal:
              "Microsoft Entra admin center > Identity > Users > All users > New user > Create new user",
            graph:
              'POST https://graph.microsoft.com/v1.0/users {"userPrincipalName":"…@<tenant>.onmicrosoft.com", …}',
            powershell: 'New-MgUser -UserPrincipalName "…@<tenant>.onmicrosoft.com" …',
            command: "breakglass apply --target accounts",
          },
        });
      } else if (!user.userType) {
        findings.push({
          status: "unknown",
          subject,
          message: `${label}: userType was not in the snapshot`,
          evidence,
        });
      } else {
        findings.push({
          status: "pass",
          subject,
          message: `${label} is a cloud-only member account`,
          evidence,
        });
      }
    }
    return findings;
  },
});
