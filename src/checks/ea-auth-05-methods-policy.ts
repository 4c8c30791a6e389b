import { norm } from "../snapshot/directory.js";
import type { AuthenticationMethodConfiguration } from "../snapshot/schema.js";
import { lookupAaguid } from "./aaguid.js";
import {
  defineCheck,
  eachAccount,
  fido2Methods,
  methodsOf,
  methodsPath,
  needsAccounts,
  targetsCover,
  unreadableFinding,
} from "./lib/index.js";
import type { Finding, Need } from "./types.js";

/** Authentication methods policy configuration ids for the profile's allowed methods. */
const CONFIG_ID: Readonly<Record<string, string | undefined>> = {
  fido2: "Fido2",
  x509CertificateMultiFactor: "X509Certificate",
  // Windows Hello for Business is governed by Windows/Intune policy, not by the methods policy.
  windowsHelloForBusiness: undefined,
};

type KeyRestrictions = NonNullable<AuthenticationMethodConfiguration["keyRestrictions"]>;

const keysRestricted = (
  c: AuthenticationMethodConfiguration | undefined,
): c is AuthenticationMethodConfiguration & { keyRestrictions: KeyRestrictions } =>
  c?.id === "Fido2" && c?.keyRestrictions?.isEnforced === true;

export const check = defineCheck(import.meta.url, {
  id: "EA-AUTH-05",
  title: "The tenant's authentication methods policy lets the emergency accounts' keys work",
  severity: "critical",
  sources: ["beyond seeds"],
  needs: ["users", "groups", "groups.members", "authenticationMethodsPolicy"],
  // Registered AAGUIDs matter only when a key restriction is enforced.
  needsFor: (ctx): Need[] => {
    const configs = ctx.snapshot.authenticationMethodsPolicy?.authenticationMethodConfigurations ?? [];
    return ctx.config.profile.allowedMethods.includes("fido2") &&
      keysRestricted(configs.find((c) => c.id === "Fido2"))
      ? ctx.accounts.resolved.map((a) => methodsPath(a.id))
      : [];
  },
  appliesTo(ctx) {
    if (!ctx.config.profile.allowedMethods.some((m) => CONFIG_ID[m]))
      return "profile allowedMethods names only Windows Hello for Business, which Windows and Intune policy govern, not the methods policy";
    return needsAccounts(ctx);
  },
  evaluate(ctx) {
    const policy = ctx.snapshot.authenticationMethodsPolicy;
    if (!policy) return [];
    const configs = policy.authenticationMethodConfigurations ?? [];
    const findings: Finding[] = [];
    const portal = "Microsoft Entra admin center > Protection > Authentication methods > Policies";

    for (const method of ctx.config.profile.allowedMethods) {
      const id = CONFIG_ID[method];
      if (!id) continue;
      const config = configs.find((c) => norm(c.id) === norm(id));
      const policySubject = {
        type: "resource" as const,
        id: `authenticationMethodsPolicy/${id}`,
        displayName: id,
      };
      if (!config || config.state !== "enabled") {
        findings.push({
          status: "fail",
          subject: policySubject,
          message: `The ${id} authentication method is ${config ? (config.state ?? "not enabled") : "not configured"} in the tenant: no emergency account can sign in with it`,
          evidence: { configuration: id, state: config?.state ?? null },
          remediation: {
            summary: `Enable ${id} for the emergency group (or all users)`,
            portal: `${portal} > ${id === "Fido2" ? "Passkey (FIDO2)" : "Certificate-based authentication"} > Enable and Target`,
            graph: `PATCH https://graph.microsoft.com/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/${id} {"@odata.type":"#microsoft.graph.${id === "Fido2" ? "fido2" : "x509Certificate"}AuthenticationMethodConfiguration","state":"enabled"}`,
            powershell: `Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -AuthenticationMethodConfigurationId ${id} -BodyParameter @{"@odata.type"="#microsoft.graph.${id === "Fido2" ? "fido2" : "x509Certificate"}AuthenticationMethodConfiguration";state="enabled"}`,
            // deploy switches on and targets FIDO2 only; certificate-based authentication is the operator's
            ...(id === "Fido2" ? { command: "breakglass apply --target methods" } : {}),
          },
        });
        continue;
      }
      for (const { account, subject, label } of eachAccount(ctx, findings)) {
        const included = targetsCover(ctx, account.id, config.includeTargets);
        const excluded = targetsCover(ctx, account.id, config.excludeTargets);
        const evidence: Record<string, unknown> = {
          configuration: id,
          includedBy: included ?? null,
          excludedBy: excluded ?? null,
        };
        const targetFix = {
          summary: `Include the emergency group in the ${id} method's targets and remove it from the exclusions`,
          portal: `${portal} > ${id} > Enable and Target > Include / Exclude`,
          graph: `PATCH https://graph.microsoft.com/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/${id} {"includeTargets":[…],"excludeTargets":[…]}`,
          powershell: `Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -AuthenticationMethodConfigurationId ${id} -BodyParameter <targets>`,
          // deploy switches on and targets FIDO2 only; certificate-based authentication is the operator's
          ...(id === "Fido2" ? { command: "breakglass apply --target methods" } : {}),
        };
        if (!included || excluded) {
          findings.push({
            status: "fail",
            subject,
            message: excluded
              ? `${label} is excluded from the ${id} method (by ${excluded}): its ${method} credentials do not work`
              : `${label} is not among the ${id} method's targets: its ${method} credentials do not work`,
            evidence,
            remediation: targetFix,
          });
          continue;
        }
        if (keysRestricted(config)) {
          // Only an enforced key restriction reads the keys: they are needed for it alone.
          const methods = methodsOf(ctx, account.id);
          if (!methods) {
            findings.push(unreadableFinding(ctx, account, methodsPath(account.id)));
            continue;
          }
          const listed = new Set((config.keyRestrictions.aaGuids ?? []).map(norm));
          const allow = String(config.keyRestrictions.enforcementType ?? "").toLowerCase() === "allow";
          const refused = fido2Methods(methods)
            .map((m) => norm(m.aaGuid))
            .filter((a) => (allow ? !listed.has(a) : listed.has(a)))
            .sort();
          evidence.keyRestrictions = {
            enforcementType: config.keyRestrictions.enforcementType ?? null,
            aaGuids: [...listed].sort(),
          };
          if (refused.length) {
            findings.push({
              status: "fail",
              subject,
              message: `${label}: the enforced FIDO2 key restriction (${allow ? "allow list" : "block list"}) refuses its key${refused.length === 1 ? "" : "s"} ${refused.map((a) => lookupAaguid(a).model ?? a).join(", ")}: they cannot sign in`,
              evidence: { ...evidence, refused },
              remediation: {
                summary: "Admit the emergency keys' AAGUIDs in the key restriction policy",
                portal: `${portal} > Passkey (FIDO2) > Configure > Key restriction policy`,
                graph: `PATCH https://graph.microsoft.com/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2 {"@odata.type":"#microsoft.graph.fido2AuthenticationMethodConfiguration","keyRestrictions":{"isEnforced":true,"enforcementType":"${allow ? "allow" : "block"}","aaGuids":[…]}}`,
                powershell:
                  "Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -AuthenticationMethodConfigurationId Fido2 -BodyParameter <keyRestrictions>",
                command: "breakglass apply --target methods",
              },
            });
            continue;
          }
        }
        findings.push({
          status: "pass",
          subject,
          message: `${label}: ${id} is enabled for it (${included})`,
          evidence,
        });
      }
    }
    return findings;
  },
});
