/** EA-CA-03: the dedicated policy's authentication strength is custom, phishing-resistant and admits the accounts' keys. */
import {
  CA_NEEDS,
  dedicatedPolicies,
  dedicatedPolicyGate,
  defineCheck,
  eachAccount,
  malformedDedicated,
  perAccountNeeds,
  policySubject,
  principalsUnknown,
  stringList as list,
} from "./lib/index.js";
import { isAvailable } from "../snapshot/availability.js";
import { norm } from "../snapshot/directory.js";
import type { AuthenticationStrengthPolicy, ConditionalAccessPolicy } from "../snapshot/schema.js";
import type { CheckContext, Finding, Remediation } from "./types.js";

const REMEDIATION: Remediation = {
  summary:
    "Give the dedicated policy its own custom authentication strength allowing only the profile's phishing-resistant methods, restricted (combinationConfigurations) to the key models the accounts hold, and used by no other policy.",
  portal:
    "Microsoft Entra admin center > Protection > Authentication methods > Authentication strengths > New authentication strength: Phishing-resistant MFA > Passkeys (FIDO2) > Advanced options: the accounts' AAGUIDs; then select it in the dedicated policy's Grant control",
  graph:
    'POST https://graph.microsoft.com/v1.0/policies/authenticationStrengthPolicies {"displayName":"Emergency Access","allowedCombinations":["fido2"],"combinationConfigurations":[{"@odata.type":"#microsoft.graph.fido2CombinationConfiguration","appliesToCombinations":["fido2"],"allowedAAGUIDs":["<aaguid>"]}]}',
  powershell:
    "New-MgPolicyAuthenticationStrengthPolicy -DisplayName 'Emergency Access' -AllowedCombinations @('fido2')",
  command: "breakglass apply --target strength policy",
};

function strengthOf(p: ConditionalAccessPolicy, ctx: CheckContext): AuthenticationStrengthPolicy | undefined {
  const ref = p.grantControls?.authenticationStrength ?? undefined;
  if (!ref?.id) return undefined;
  const found = (ctx.snapshot.authenticationStrengthPolicies ?? []).find((s) => norm(s.id) === norm(ref.id));
  return found ?? (ref.allowedCombinations ? ref : undefined);
}

/** The AAGUID restriction of the strength's FIDO2 configuration; undefined = any key. */
function allowedAaguids(strength: AuthenticationStrengthPolicy): Set<string> | undefined {
  const fido = (strength.combinationConfigurations ?? []).filter(
    (c) =>
      String(c["@odata.type"] ?? "")
        .toLowerCase()
        .endsWith("fido2combinationconfiguration") && list(c.appliesToCombinations).includes("fido2"),
  );
  const ids = fido.flatMap((c) => list(c.allowedAAGUIDs).map(norm));
  return fido.length && ids.length ? new Set(ids) : undefined;
}

export const check = defineCheck(import.meta.url, {
  id: "EA-CA-03",
  title:
    "The dedicated policy's authentication strength is custom, phishing-resistant and admits the accounts' keys",
  severity: "high",
  sources: ["000", "001"],
  needs: [...CA_NEEDS, "authenticationStrengthPolicies", "users"],
  needsFor: (ctx) => perAccountNeeds(ctx, "authenticationMethods"),
  appliesTo: dedicatedPolicyGate,
  evaluate(ctx) {
    if (!ctx.snapshot.conditionalAccessPolicies) return [];
    const unknownPrincipals = principalsUnknown(ctx, "dedicated");
    if (unknownPrincipals) return [unknownPrincipals];
    const allowed = new Set(ctx.config.profile.allowedMethods);
    const findings: Finding[] = malformedDedicated(ctx);
    const dedicated = dedicatedPolicies(ctx).policies;
    const dedicatedIds = new Set(dedicated.map((p) => norm(p.id)));
    for (const p of dedicated) {
      const ref = p.grantControls?.authenticationStrength?.id;
      if (!ref) {
        findings.push({
          status: "fail",
          subject: policySubject(p),
          message: `Dedicated policy "${p.displayName ?? p.id}" grants without an authentication strength.`,
          evidence: { grantControls: p.grantControls ?? null },
          remediation: REMEDIATION,
        });
        continue;
      }
      const strength = strengthOf(p, ctx);
      if (!strength) {
        findings.push({
          status: isAvailable(ctx.snapshot, "authenticationStrengthPolicies") ? "fail" : "unknown",
          subject: policySubject(p),
          message: `The authentication strength ${ref} of "${p.displayName ?? p.id}" was not found.`,
          evidence: { authenticationStrength: ref },
          remediation: REMEDIATION,
        });
        continue;
      }
      const subject = {
        type: "authenticationStrength" as const,
        id: String(strength.id),
        displayName: strength.displayName ?? null,
      };
      const problems: string[] = [];
      if (strength.policyType !== "custom")
        problems.push(
          `it is ${strength.policyType ?? "not"} custom: a built-in strength cannot be restricted to the accounts' keys and is shared by every policy that uses it`,
        );
      const combos = list(strength.allowedCombinations);
      const outside = combos.filter(
        (c) => c.split(",").some((m) => !allowed.has(m.trim() as never)) || c.includes(","),
      );
      if (combos.length === 0) problems.push("it allows no combination");
      if (outside.length)
        problems.push(
          `it allows ${outside.join(" | ")}, outside allowedMethods (${[...allowed].join(", ")})`,
        );
      const others = (ctx.snapshot.conditionalAccessPolicies ?? [])
        .filter(
          (o) =>
            !dedicatedIds.has(norm(o.id)) &&
            norm(o.grantControls?.authenticationStrength?.id) === norm(String(strength.id)),
        )
        .sort((a, b) => norm(a.id).localeCompare(norm(b.id)));
      if (others.length)
        problems.push(
          `it is also used by ${others.map((o) => `"${o.displayName ?? o.id}"`).join(", ")}: a change there changes the emergency sign-in`,
        );
      findings.push({
        status: problems.length ? "fail" : "pass",
        subject,
        message: problems.length
          ? `Authentication strength "${strength.displayName ?? strength.id}" of "${p.displayName ?? p.id}": ${problems.join("; ")}.`
          : `Authentication strength "${strength.displayName ?? strength.id}" is custom, phishing-resistant and used only by the dedicated policy.`,
        evidence: {
          policy: p.id,
          policyType: strength.policyType ?? null,
          allowedCombinations: combos,
          allowedMethods: [...allowed],
          combinationConfigurations: strength.combinationConfigurations ?? [],
          otherPolicies: others.map((o) => o.id),
        },
        ...(problems.length ? { remediation: REMEDIATION } : {}),
      });
      // Every account must hold a key the strength admits.
      const restriction = allowedAaguids(strength);
      const fidoAllowed = combos.includes("fido2");
      for (const { label, methods, subject } of eachAccount(ctx, findings, "authenticationMethods")) {
        const keys = methods
          .filter((m) =>
            String(m["@odata.type"] ?? "")
              .toLowerCase()
              .endsWith("fido2authenticationmethod"),
          )
          .map((m) => ({
            id: String(m.id ?? ""),
            aaGuid: norm(m.aaGuid as string),
            model: m.model ?? m.displayName ?? null,
          }))
          .sort((x, y) => x.aaGuid.localeCompare(y.aaGuid) || x.id.localeCompare(y.id));
        const admitted = fidoAllowed ? keys.filter((k) => !restriction || restriction.has(k.aaGuid)) : [];
        const ok = admitted.length > 0;
        findings.push({
          status: ok ? "pass" : "fail",
          subject,
          message: ok
            ? `${label} holds ${admitted.length} key(s) the strength admits.`
            : `${label} holds no FIDO2 key the strength "${strength.displayName ?? strength.id}" admits: the dedicated policy would lock it out.`,
          evidence: {
            keys,
            fido2Allowed: fidoAllowed,
            allowedAAGUIDs: restriction ? [...restriction].sort() : "any",
          },
          ...(ok ? {} : { remediation: REMEDIATION }),
        });
      }
    }
    return findings;
  },
});
