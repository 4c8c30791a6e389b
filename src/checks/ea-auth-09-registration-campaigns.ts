import { defineCheck, eachAccount, needsAccounts, targetsCover } from "./lib/index.js";
import type { Finding } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-AUTH-09",
  title: "Registration campaigns and forced registration exclude the emergency accounts",
  severity: "medium",
  sources: ["001"],
  needs: ["users", "groups", "authenticationMethodsPolicy"],
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const policy = ctx.snapshot.authenticationMethodsPolicy;
    if (!policy) return [];
    const campaign = policy.registrationEnforcement?.authenticationMethodsRegistrationCampaign;
    // Graph always returns the campaign inside the methods policy; without it the tenant's campaign
    // state is not known, and "no campaign" would be a pass read from missing data.
    const campaignRead = typeof campaign === "object" && campaign !== null && !Array.isArray(campaign);
    // "default" is Microsoft-managed, which Microsoft switches on for users who use SMS or voice.
    const campaignOn = campaignRead && String(campaign.state ?? "default").toLowerCase() !== "disabled";
    const forcing = [...(policy.authenticationMethodConfigurations ?? [])]
      .sort((a, b) => a.id.localeCompare(b.id))
      .filter(
        (c) =>
          c.state === "enabled" && (c.includeTargets ?? []).some((t) => t.isRegistrationRequired === true),
      );
    const findings: Finding[] = [];
    for (const { account, subject, label } of eachAccount(ctx, findings)) {
      const reasons: string[] = [];
      if (campaignOn) {
        const included = targetsCover(ctx, account.id, campaign.includeTargets);
        const excluded = targetsCover(ctx, account.id, campaign.excludeTargets);
        if (included && !excluded)
          reasons.push(
            `the registration campaign (state ${campaign.state ?? "default"}, included by ${included}) nudges it to register ${campaign.includeTargets?.[0]?.targetedAuthenticationMethod ?? "a method"}`,
          );
      }
      for (const c of forcing) {
        const required = (c.includeTargets ?? []).filter((t) => t.isRegistrationRequired === true);
        const by = targetsCover(ctx, account.id, required);
        if (by && !targetsCover(ctx, account.id, c.excludeTargets))
          reasons.push(`${c.id} requires registration (by ${by})`);
      }
      if (!reasons.length && !campaignRead)
        findings.push({
          status: "unknown",
          subject,
          message: `${label}: the methods policy was read without its registration campaign (registrationEnforcement), so whether a campaign reaches the account is not known`,
        });
      else if (reasons.length)
        findings.push({
          status: "fail",
          subject,
          message: `${label}: ${reasons.join("; ")}: a sign-in in an emergency can be stopped by a registration prompt, or end with a phone method on the account`,
          evidence: { campaignState: campaign?.state ?? null, reasons },
          remediation: {
            summary:
              "Exclude the emergency group from the registration campaign and from required registration",
            portal:
              "Microsoft Entra admin center > Protection > Authentication methods > Registration campaign > Edit > Exclude",
            graph:
              'PATCH https://graph.microsoft.com/v1.0/policies/authenticationMethodsPolicy {"registrationEnforcement":{"authenticationMethodsRegistrationCampaign":{"excludeTargets":[{"id":"<group id>","targetType":"group"}]}}}',
            powershell:
              'Update-MgPolicyAuthenticationMethodPolicy -RegistrationEnforcement @{AuthenticationMethodsRegistrationCampaign=@{ExcludeTargets=@(@{Id="<group id>";TargetType="group"})}}',
            command: "breakglass apply --target methods",
          },
        });
      else
        findings.push({
          status: "pass",
          subject,
          message: `${label}: no registration campaign or required registration reaches it`,
        });
    }
    return findings;
  },
});
