/**
 * EA-CA-05: the lockout proof. For every emergency account and every class of the emergency
 * envelope (profile `envelope`), no enabled policy blocks it and every grant it meets is
 * satisfiable with its registered methods and devices, Microsoft's mandatory MFA for admin
 * portals included; at least one account provably gets in. A failure prints the counter-example.
 */
import {
  CA_NEEDS,
  conditionalAccessGate,
  defineCheck,
  engineFor,
  engineNeeds,
  malformedFindings,
  methodsPath,
  perAccountNeeds,
  principalsUnknown,
  userSubject,
} from "./lib/index.js";
import { describeCounterExample, whatIfRequestOf } from "../ca/format.js";
import { proveAccount } from "../ca/prover.js";
import { unavailableReason } from "../snapshot/availability.js";
import type { CheckContext, Finding } from "./types.js";

function evaluate(ctx: CheckContext): Finding[] {
  const unknownPrincipals = principalsUnknown(ctx, "accounts");
  if (unknownPrincipals) return [unknownPrincipals];
  const engine = engineFor(ctx);
  const envelope = ctx.config.profile.envelope;
  const findings: Finding[] = malformedFindings(
    ctx,
    "whether it locks the emergency accounts out",
    (p) => p.state !== "disabled" && p.state !== "reportOnly",
  );
  let proven = 0;
  for (const account of ctx.accounts.resolved) {
    const who = account.userPrincipalName ?? account.id;
    const subject = userSubject(account);
    const proof = proveAccount(engine, account.id, { envelope, maxExamples: 5 });
    const methodsGap = unavailableReason(ctx.snapshot, methodsPath(account.id));
    const evidence = {
      classes: proof.classes,
      failingClasses: proof.failingClasses,
      whatIfCallsForSameCoverage: proof.whatIfCalls,
      envelope,
    };
    if (proof.status === "refuted") {
      const ce = proof.counterExamples[0]!;
      findings.push({
        status: "fail",
        subject,
        message: `${who} can be locked out in ${proof.failingClasses} of ${proof.classes} sign-in classes; e.g. ${describeCounterExample(ce)}`,
        evidence: {
          ...evidence,
          counterExamples: proof.counterExamples.map((c) => ({
            text: describeCounterExample(c),
            whatIfRequest: whatIfRequestOf(account.id, c.signIn),
            definite: c.outcome.definite,
          })),
        },
        remediation: {
          summary:
            "Exclude the emergency group from the blocking policy, or give the account a method the grant accepts (a FIDO2 key admitted by the strength's AAGUIDs).",
          portal: `Entra admin center > Protection > Conditional Access > Policies > ${ce.paths[0]?.displayName ?? "<policy>"} > Users > Exclude`,
          graph: `PATCH https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies/${ce.paths[0]?.policyId ?? "<id>"} {"conditions":{"users":{"excludeGroups":[..., "<emergency group id>"]}}}`,
          powershell: `Update-MgIdentityConditionalAccessPolicy -ConditionalAccessPolicyId ${ce.paths[0]?.policyId ?? "<id>"} -Conditions @{ Users = @{ ExcludeGroups = @(<existing>, '<emergency group id>') } }`,
          command: "breakglass ca prove --snapshot <file> --format json",
        },
      });
    } else if (proof.status === "undecided" || methodsGap) {
      findings.push({
        status: "unknown",
        subject,
        message: methodsGap
          ? `${who}: registered methods not readable (${methodsGap}), so satisfiability cannot be proven`
          : proof.counterExamples[0]
            ? `${who}: ${proof.failingClasses} classes rest on conditions the engine cannot decide; e.g. ${describeCounterExample(proof.counterExamples[0])}`
            : `${who}: no counter-example, but the proof is incomplete (${proof.incomplete})`,
        evidence,
      });
    } else {
      // Conditional Access lets a disabled account through, but the account cannot sign in at all
      // (EA-ACC-02 grades that): it does not count as the account that provably gets in.
      const disabled = ctx.directory.user(account.id)?.accountEnabled === false;
      if (!disabled) proven++;
      findings.push({
        status: "pass",
        subject,
        message:
          `${who} gets in over all ${proof.classes} sign-in classes of the emergency envelope (What If would need ${proof.whatIfCalls} calls)` +
          (disabled ? ", as far as Conditional Access goes: the account itself is disabled" : ""),
        evidence: { ...evidence, accountEnabled: !disabled },
      });
    }
  }
  if (ctx.accounts.resolved.length && proven === 0 && !findings.some((f) => f.status === "unknown"))
    findings.push({
      status: "fail",
      message:
        "No enabled emergency account provably reaches the admin portals under Microsoft's mandatory MFA in every envelope class",
    });
  return findings;
}

export const check = defineCheck(import.meta.url, {
  id: "EA-CA-05",
  title: "Lockout proof: every emergency account gets in over the whole emergency envelope",
  severity: "critical",
  sources: ["000", "001", "004"],
  needs: [...CA_NEEDS, "authenticationStrengthPolicies", "authenticationMethodsPolicy", "users"],
  needsFor: (ctx) => [...engineNeeds(ctx), ...perAccountNeeds(ctx, "authenticationMethods")],
  appliesTo: conditionalAccessGate,
  evaluate,
});
export default check;
