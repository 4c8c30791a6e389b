/**
 * EA-CA-01: no enabled policy other than the dedicated ones and `allowedPolicyIds` applies to any
 * emergency account in any sign-in. Scope is decided by the evaluator (transitive groups, active
 * roles and roles once activated, All, guest types, any resource), never by reading one list.
 */
import {
  CA_NEEDS,
  conditionalAccessGate,
  defineCheck,
  engineNeeds,
  otherPolicies,
  policiesReaching,
  policySubject,
  principalsUnknown,
  userSubject,
} from "./lib/index.js";

import { YES } from "../ca/types.js";
import type { CheckContext, Finding } from "./types.js";

function evaluate(ctx: CheckContext): Finding[] {
  const unknownPrincipals = principalsUnknown(ctx, "accounts");
  if (unknownPrincipals) return [unknownPrincipals];
  const inForce = otherPolicies(
    ctx,
    (state) => state !== "disabled" && state !== "reportOnly",
    "whether it applies to the emergency accounts",
  );
  const findings: Finding[] = inForce.malformed;
  for (const account of ctx.accounts.resolved) {
    const { reached, truncated } = policiesReaching(ctx, account.id, inForce.policies);
    for (const { policy: p, activated, path, where } of reached) {
      const afterActivation = activated.length > 0;
      const may = where === YES && p.state === "enabled" ? "applies" : "may apply";
      findings.push({
        status: "fail",
        subject: policySubject(p),
        message:
          `Policy "${p.displayName}" ${may} to ${account.userPrincipalName ?? account.id} ${path}` +
          (afterActivation ? " (once an eligible role is activated)" : "") +
          (p.unmodelled.length ? `; not modelled: ${p.unmodelled.join(", ")}` : ""),
        evidence: {
          account: account.id,
          policyId: p.id,
          state: p.raw.state,
          path,
          afterActivation,
          grantControls: p.raw.grantControls ?? null,
        },
        remediation: {
          summary: `Exclude the emergency group (or account) from "${p.displayName}", or list the policy in allowedPolicyIds if it is meant to apply.`,
          portal: `Entra admin center > Protection > Conditional Access > Policies > ${p.displayName} > Users > Exclude > Users and groups`,
          graph: `PATCH https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies/${p.id} {"conditions":{"users":{"excludeGroups":[<existing>..., "${ctx.accounts.group?.id ?? "<emergency group id>"}"]}}}`,
          powershell: `Update-MgIdentityConditionalAccessPolicy -ConditionalAccessPolicyId ${p.id} -Conditions @{ Users = @{ ExcludeGroups = @(<existing>, '${ctx.accounts.group?.id ?? "<emergency group id>"}') } }`,
          command: "breakglass apply --target exclusions",
        },
      });
    }
    if (truncated)
      findings.push({
        status: "unknown",
        subject: userSubject(account),
        message: `${account.userPrincipalName ?? account.id} has too many eligible roles to try every activation combination`,
      });
    else if (!reached.length)
      findings.push({
        status: "pass",
        subject: userSubject(account),
        message: `No enabled policy besides the dedicated and allowed ones applies to ${account.userPrincipalName ?? account.id} in any sign-in`,
      });
  }
  return findings;
}

export const check = defineCheck(import.meta.url, {
  id: "EA-CA-01",
  title: "No other Conditional Access policy applies to the emergency accounts",
  severity: "critical",
  sources: ["000", "001", "002", "003", "004"],
  needs: CA_NEEDS,
  needsFor: engineNeeds,
  appliesTo: conditionalAccessGate,
  evaluate,
});
export default check;
