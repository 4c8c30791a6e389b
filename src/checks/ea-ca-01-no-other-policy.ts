/**
 * EA-CA-01: no enabled policy other than the dedicated ones and `allowedPolicyIds` applies to any
 * emergency account in any sign-in. Scope is decided by the evaluator (transitive groups, active
 * roles and roles once activated, All, guest types, any resource), never by reading one list.
 */
import {
  activationIdentities,
  appliesSomewhere,
  CA_NEEDS,
  conditionalAccessGate,
  dedicatedPolicies,
  defineCheck,
  engineFor,
  engineNeeds,
  malformedFindings,
  type MalformedPolicy,
  policySubject,
  principalsUnknown,
  userSubject,
} from "./lib/index.js";

import { explainUsers } from "../ca/identity.js";
import { NO, YES } from "../ca/types.js";
import { norm } from "../snapshot/directory.js";
import type { CheckContext, Finding } from "./types.js";

function evaluate(ctx: CheckContext): Finding[] {
  const unknownPrincipals = principalsUnknown(ctx, "accounts");
  if (unknownPrincipals) return [unknownPrincipals];
  const engine = engineFor(ctx);
  const dedicated = dedicatedPolicies(ctx).ids;
  const allowed = new Set(ctx.config.allowedPolicyIds.map(norm));
  const inForce = (p: MalformedPolicy) =>
    p.state !== "disabled" && p.state !== "reportOnly" && !dedicated.has(p.id) && !allowed.has(p.id);
  const candidates = engine.policies.filter((p) => inForce(p) && !p.invalid.length);
  const findings: Finding[] = malformedFindings(ctx, "whether it applies to the emergency accounts", inForce);
  for (const account of ctx.accounts.resolved) {
    const { variants, truncated } = activationIdentities(ctx, account.id);
    let hits = 0;
    for (const p of candidates) {
      const usersCond = p.conditions?.users;
      const hit = variants.find((v) => p.users(v.identity) !== NO);
      if (!hit) continue;
      const afterActivation = hit.activated.length > 0;
      const where = appliesSomewhere(ctx, p);
      if (where === NO) continue;
      hits++;
      const path =
        explainUsers(ctx.directory, usersCond, hit.identity, "include", new Set(hit.activated)) ?? "";
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
        },
      });
    }
    if (truncated)
      findings.push({
        status: "unknown",
        subject: userSubject(account),
        message: `${account.userPrincipalName ?? account.id} has too many eligible roles to try every activation combination`,
      });
    else if (!hits)
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
