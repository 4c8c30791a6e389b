/** EA-CA-02: a dedicated Conditional Access policy protects the emergency accounts. */
import { norm } from "../snapshot/directory.js";
import type { ConditionalAccessPolicy } from "../snapshot/schema.js";
import {
  CA_NEEDS,
  conditionalAccessGate,
  dedicatedPolicies,
  defineCheck,
  emergencyPrincipals,
  includesOnlyEmergencyPrincipals,
  malformedDedicated,
  policySubject,
  principalsUnknown,
  stringList as list,
  tenantSubject,
  userLists,
} from "./lib/index.js";
import type { CheckContext, Finding, Remediation, Status } from "./types.js";

const DEDICATED_POLICY_REMEDIATION: Remediation = {
  summary:
    "Create one policy for the emergency accounts only: users = the emergency group, all resources with no exclusions, grant = a custom phishing-resistant authentication strength, no location/platform/device conditions, state On.",
  portal:
    "Microsoft Entra admin center > Protection > Conditional Access > Policies > New policy: Users: include the emergency group; Target resources: All resources; Grant: Require authentication strength (custom, FIDO2 keys of the accounts); Session: Sign-in frequency Every time; Enable policy: On",
  graph:
    'POST https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies {"displayName":"Emergency Access","state":"enabled","conditions":{"users":{"includeGroups":["<group id>"]},"applications":{"includeApplications":["All"]},"clientAppTypes":["all"]},"grantControls":{"operator":"OR","authenticationStrength":{"id":"<strength id>"}},"sessionControls":{"signInFrequency":{"isEnabled":true,"frequencyInterval":"everyTime","authenticationType":"primaryAndSecondaryAuthentication"},"persistentBrowser":{"isEnabled":true,"mode":"never"}}}',
  powershell: "New-MgIdentityConditionalAccessPolicy -BodyParameter $policy",
  // the policy is made report-only; activate switches it on once every account holds its keys
  command: "breakglass apply --target strength policy activate",
};

function grade(p: ConditionalAccessPolicy, ctx: CheckContext): Finding {
  const problems: Array<{ status: Status; what: string }> = [];
  const c: NonNullable<ConditionalAccessPolicy["conditions"]> = p.conditions ?? {};
  const u = userLists(c.users);
  if (p.state !== "enabled")
    problems.push({
      status: "fail",
      what: `state is ${p.state === "enabledForReportingButNotEnforced" ? "report-only" : p.state}, not enabled`,
    });
  if (!includesOnlyEmergencyPrincipals(c.users, ctx))
    problems.push({
      status: "fail",
      what: "its users include principals other than the emergency accounts and group",
    });
  const { users, groups } = emergencyPrincipals(ctx);
  const includedUsers = new Set(u.includeUsers.map(norm));
  const viaGroup = u.includeGroups.some((g) => groups.has(norm(g)));
  const uncovered = [...users].filter((id) => !includedUsers.has(id) && !viaGroup).sort();
  if (uncovered.length)
    problems.push({ status: "fail", what: `it does not include account(s) ${uncovered.join(", ")}` });
  const apps = c.applications ?? {};
  if (!list(apps.includeApplications).some((a) => a.toLowerCase() === "all"))
    problems.push({
      status: "fail",
      what: `it targets ${list(apps.includeApplications).join(", ") || "no resource"}, not all resources`,
    });
  const exclusions = [
    ...u.excludeUsers.map((x) => `user ${x}`),
    ...u.excludeGroups.map((x) => `group ${x}`),
    ...u.excludeRoles.map((x) => `role ${x}`),
    ...(u.excludesGuests ? ["guests or external users"] : []),
    ...list(apps.excludeApplications).map((x) => `resource ${x}`),
  ];
  if (exclusions.length) problems.push({ status: "fail", what: `it excludes ${exclusions.join(", ")}` });
  const grant: NonNullable<ConditionalAccessPolicy["grantControls"]> = p.grantControls ?? {};
  if (!grant.authenticationStrength?.id)
    problems.push({ status: "fail", what: "it does not grant by authentication strength" });
  if (list(grant.builtInControls).includes("block"))
    problems.push({ status: "fail", what: "it blocks access" });
  const alternatives = [
    ...list(grant.builtInControls).filter((x) => x !== "block"),
    ...list(grant.customAuthenticationFactors),
    ...list(grant.termsOfUse).map((x) => `terms of use ${x}`),
  ];
  if (
    grant.authenticationStrength?.id &&
    alternatives.length &&
    String(grant.operator ?? "OR").toUpperCase() === "OR"
  )
    problems.push({
      status: "fail",
      what: `it grants by the strength OR ${alternatives.join(", ")}: either satisfies it, so the strength can be bypassed`,
    });
  const conditionsAdded: string[] = [];
  const loc = c.locations;
  if (loc && (list(loc.includeLocations).length || list(loc.excludeLocations).length))
    conditionsAdded.push("locations");
  const plat = c.platforms;
  if (plat && (list(plat.includePlatforms).length || list(plat.excludePlatforms).length))
    conditionsAdded.push("platforms");
  if (
    c.devices?.deviceFilter ||
    list(c.devices?.includeDevices).length ||
    list(c.devices?.excludeDevices).length
  )
    conditionsAdded.push("devices");
  if (conditionsAdded.length)
    problems.push({
      status: "warn",
      what: `it adds ${conditionsAdded.join(", ")} condition(s): outside them the accounts fall back to no dedicated protection`,
    });
  const status: Status = problems.some((x) => x.status === "fail")
    ? "fail"
    : problems.length
      ? "warn"
      : "pass";
  return {
    status,
    subject: policySubject(p),
    message:
      status === "pass"
        ? `Dedicated policy "${p.displayName ?? p.id}" is enabled, covers all resources without exclusions and grants by authentication strength.`
        : `Dedicated policy "${p.displayName ?? p.id}": ${problems.map((x) => x.what).join("; ")}.`,
    evidence: {
      state: p.state,
      users: c.users ?? null,
      applications: c.applications ?? null,
      grantControls: p.grantControls ?? null,
      locations: c.locations ?? null,
      platforms: c.platforms ?? null,
      devices: c.devices ?? null,
    },
    ...(status === "pass" ? {} : { remediation: DEDICATED_POLICY_REMEDIATION }),
  };
}

export const check = defineCheck(import.meta.url, {
  id: "EA-CA-02",
  title: "A dedicated Conditional Access policy protects the emergency accounts",
  severity: "high",
  sources: ["000", "001", "002"],
  needs: CA_NEEDS,
  appliesTo: conditionalAccessGate,
  evaluate(ctx) {
    if (!ctx.snapshot.conditionalAccessPolicies) return [];
    const unknownPrincipals = principalsUnknown(ctx, "dedicated");
    if (unknownPrincipals) return [unknownPrincipals];
    const d = dedicatedPolicies(ctx);
    const malformed = malformedDedicated(ctx);
    const findings: Finding[] = d.missingIds.map((id) => ({
      status: "fail" as const,
      subject: policySubject({ id }),
      message: `Configured dedicated policy ${id} does not exist.`,
      evidence: { dedicatedPolicyIds: ctx.config.dedicatedPolicyIds },
      remediation: DEDICATED_POLICY_REMEDIATION,
    }));
    if (d.policies.length === 0) {
      if (malformed.length) return [...findings, ...malformed];
      if (ctx.config.profile.dedicatedPolicy === "optional" && d.missingIds.length === 0)
        return [
          {
            status: "skip",
            message:
              "the profile makes the dedicated policy optional (dedicatedPolicy: optional), and there is none",
          },
        ];
      findings.push({
        status: "fail",
        subject: tenantSubject(ctx.snapshot),
        message:
          d.how === "config"
            ? "None of the configured dedicated policies exists."
            : "No Conditional Access policy targets only the emergency accounts or group.",
        evidence: {
          policiesRead: (ctx.snapshot.conditionalAccessPolicies ?? []).length,
          emergencyAccounts: ctx.accounts.resolved.map((a) => a.id),
          emergencyGroup: ctx.accounts.group?.id ?? null,
        },
        remediation: DEDICATED_POLICY_REMEDIATION,
      });
      return findings;
    }
    return [...findings, ...malformed, ...d.policies.map((p) => grade(p, ctx))];
  },
});
