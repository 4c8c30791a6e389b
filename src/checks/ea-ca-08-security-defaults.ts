/** EA-CA-08: security defaults are off, so the Conditional Access setup can exist. */
import { defineCheck, lacksLicence, tenantSubject } from "./lib/index.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-CA-08",
  title: "Security defaults are off",
  severity: "medium",
  sources: ["003"],
  needs: ["securityDefaults", "subscribedSkus"],
  // Without P1 security defaults are the tenant's only baseline protection: nothing to grade.
  appliesTo: (ctx) => lacksLicence(ctx, "p1", "Conditional Access (the replacement for security defaults)"),
  evaluate(ctx) {
    const sd = ctx.snapshot.securityDefaults;
    if (!sd) return [];
    const subject = tenantSubject(ctx.snapshot);
    if (sd.isEnabled === false)
      return [
        { status: "pass", subject, message: "Security defaults are off.", evidence: { isEnabled: false } },
      ];
    if (sd.isEnabled === true)
      return [
        {
          status: "fail",
          subject,
          message:
            "Security defaults are on: no Conditional Access policy can exist, so the emergency accounts' dedicated policy and exclusions cannot be built.",
          evidence: { isEnabled: true },
          remediation: {
            summary: "Turn security defaults off once Conditional Access policies replace them.",
            portal:
              "Microsoft Entra admin center > Identity > Overview > Properties > Manage security defaults: Disabled",
            graph:
              'PATCH https://graph.microsoft.com/v1.0/policies/identitySecurityDefaultsEnforcementPolicy {"isEnabled":false}',
            powershell: "Update-MgPolicyIdentitySecurityDefaultEnforcementPolicy -IsEnabled:$false",
          },
        },
      ];
    return [
      {
        status: "unknown",
        subject,
        message: "The security defaults policy has no isEnabled value.",
        evidence: { isEnabled: sd.isEnabled ?? null },
      },
    ];
  },
});
