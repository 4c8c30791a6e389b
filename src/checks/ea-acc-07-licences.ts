import { norm, P2_PLANS } from "../snapshot/directory.js";
import { isAvailable } from "../snapshot/availability.js";
import { defineCheck, eachAccount, needsAccounts } from "./lib/index.js";
import type { CheckContext, Finding, Need } from "./types.js";

/** Whether one of a user's licences carries Entra ID P2 (and the plan is not disabled). */
function hasP2Licence(
  ctx: CheckContext,
  assigned: ReadonlyArray<{ skuId?: string | null; disabledPlans?: string[] | null }>,
) {
  const skus = new Map((ctx.snapshot.subscribedSkus ?? []).map((s) => [norm(s.skuId), s]));
  return assigned.some((a) => {
    const sku = skus.get(norm(a.skuId));
    const disabled = new Set((a.disabledPlans ?? []).map(norm));
    return (sku?.servicePlans ?? []).some(
      (p) =>
        (P2_PLANS.has(p.servicePlanName ?? "") || P2_PLANS.has(norm(p.servicePlanId))) &&
        !disabled.has(norm(p.servicePlanId)),
    );
  });
}

export const check = defineCheck(import.meta.url, {
  id: "EA-ACC-07",
  title: "The emergency accounts' licences match the profile",
  severity: "low",
  sources: ["000"],
  needs: ["users"],
  needsFor: (ctx): Need[] => (ctx.config.profile.licenses === "P2" ? ["subscribedSkus"] : []),
  appliesTo(ctx) {
    if (ctx.config.profile.licenses === "any") return "profile licenses: any (no expectation about licences)";
    return needsAccounts(ctx);
  },
  evaluate(ctx) {
    const expected = ctx.config.profile.licenses;
    const findings: Finding[] = [];
    for (const { account, user, subject, label } of eachAccount(ctx, findings)) {
      const assigned = user.assignedLicenses;
      if (!Array.isArray(assigned)) {
        findings.push({
          status: "unknown",
          subject,
          message: `${label}: assignedLicenses is not in the snapshot`,
        });
        continue;
      }
      const evidence = { assignedLicenses: assigned.map((a) => a.skuId ?? null), expected };
      if (expected === "none") {
        if (assigned.length === 0)
          findings.push({ status: "pass", subject, message: `${label}: no licence`, evidence });
        else
          findings.push({
            status: "fail",
            subject,
            message: `${label} has ${assigned.length} licence${assigned.length === 1 ? "" : "s"}: a licence brings a mailbox and apps, i.e. more ways in and more everyday use`,
            evidence,
            remediation: {
              summary: "Remove the licences (direct, or the group that assigns them)",
              portal:
                "Microsoft Entra admin center > Identity > Users > All users > select the user > Licenses > Remove",
              graph: `POST https://graph.microsoft.com/v1.0/users/${account.id}/assignLicense {"addLicenses":[],"removeLicenses":[${assigned.map((a) => `"${a.skuId}"`).join(",")}]}`,
              powershell: `Set-MgUserLicense -UserId ${account.id} -AddLicenses @() -RemoveLicenses @(${assigned.map((a) => `"${a.skuId}"`).join(",")})`,
              command: "breakglass apply --target accounts",
            },
          });
      } else {
        if (!isAvailable(ctx.snapshot, "subscribedSkus")) continue;
        if (hasP2Licence(ctx, assigned))
          findings.push({ status: "pass", subject, message: `${label}: has Entra ID P2`, evidence });
        else
          findings.push({
            status: "fail",
            subject,
            message: `${label} has no Entra ID P2 licence, which the profile requires (licenses: P2)`,
            evidence,
            remediation: {
              summary: "Assign a licence that includes Microsoft Entra ID P2",
              portal:
                "Microsoft Entra admin center > Identity > Users > All users > select the user > Licenses > Assignments",
              graph: `POST https://graph.microsoft.com/v1.0/users/${account.id}/assignLicense {"addLicenses":[{"skuId":"<P2 sku id>"}],"removeLicenses":[]}`,
              powershell: `Set-MgUserLicense -UserId ${account.id} -AddLicenses @{SkuId="<P2 sku id>"} -RemoveLicenses @()`,
            },
          });
      }
    }
    return findings;
  },
});
