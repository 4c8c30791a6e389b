/**
 * EA-CA-06: report-only and disabled policies that would apply to or lock out an emergency
 * account if switched on. Microsoft-managed policies are switched on automatically after their
 * notice period, so they are marked: for them "if" is "when".
 */
import {
  CA_NEEDS,
  conditionalAccessGate,
  defineCheck,
  engineFor,
  engineNeeds,
  otherPolicies,
  policiesReaching,
  policySubject,
  principalsUnknown,
  userSubject,
} from "./lib/index.js";

import { describeCounterExample } from "../ca/format.js";
import { proveAccount } from "../ca/prover.js";
import type { CheckContext, Finding } from "./types.js";

export const isMicrosoftManaged = (p: Record<string, unknown>): boolean =>
  /^microsoft-managed/i.test(String(p.displayName ?? "")) || /microsoft/i.test(String(p.createdBy ?? ""));

function evaluate(ctx: CheckContext): Finding[] {
  const unknownPrincipals = principalsUnknown(ctx, "accounts");
  if (unknownPrincipals) return [unknownPrincipals];
  const engine = engineFor(ctx);
  const dormant = otherPolicies(
    ctx,
    (state) => state === "reportOnly" || state === "disabled",
    "whether it would apply to the emergency accounts",
  );
  const findings: Finding[] = dormant.malformed;
  for (const account of ctx.accounts.resolved) {
    const who = account.userPrincipalName ?? account.id;
    const { reached, truncated } = policiesReaching(ctx, account.id, dormant.policies);
    if (!reached.length) {
      findings.push({
        status: truncated ? "unknown" : "pass",
        subject: userSubject(account),
        message: truncated
          ? `${who} has too many eligible roles to try every activation combination`
          : `No report-only or disabled policy would apply to ${who} if switched on`,
      });
      continue;
    }
    // Which dormant policies would lock the account out (every state switched on, per policy responsibility).
    const proof = proveAccount(engine, account.id, {
      envelope: ctx.config.profile.envelope,
      mode: "all",
      maxExamples: 10_000,
    });
    for (const { policy: p, path } of reached) {
      const lock = proof.counterExamples.find((c) => c.paths.some((x) => x.policyId === p.id));
      const managed = isMicrosoftManaged(p.raw);
      const state = p.state === "reportOnly" ? "report-only" : "disabled";
      findings.push({
        status: lock ? "fail" : "warn",
        subject: policySubject(p),
        message:
          `${managed ? "Microsoft-managed (switched on automatically after its notice period) " : ""}${state} policy "${p.displayName}" would apply to ${who} ${path}` +
          (lock ? `, and would lock it out: ${describeCounterExample(lock)}` : ""),
        evidence: {
          account: account.id,
          policyId: p.id,
          state: p.raw.state,
          microsoftManaged: managed,
          path,
        },
        remediation: {
          summary: `Exclude the emergency group from "${p.displayName}" before it is switched on${managed ? " (admin exclusions of Microsoft-managed policies are preserved)" : ""}.`,
          portal: `Entra admin center > Protection > Conditional Access > Policies > ${p.displayName} > Users > Exclude`,
          graph: `PATCH https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies/${p.id} {"conditions":{"users":{"excludeGroups":[..., "<emergency group id>"]}}}`,
          powershell: `Update-MgIdentityConditionalAccessPolicy -ConditionalAccessPolicyId ${p.id} -Conditions @{ Users = @{ ExcludeGroups = @(<existing>, '<emergency group id>') } }`,
        },
      });
    }
  }
  return findings;
}

export const check = defineCheck(import.meta.url, {
  id: "EA-CA-06",
  title: "Report-only and disabled policies that would apply to the emergency accounts are listed",
  severity: "medium",
  sources: ["000"],
  needs: [...CA_NEEDS, "authenticationMethodsPolicy"],
  needsFor: engineNeeds,
  appliesTo: conditionalAccessGate,
  evaluate,
});
export default check;
