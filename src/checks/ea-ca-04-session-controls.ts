/** EA-CA-04: the dedicated policy's session controls: sign-in frequency and no persistent browser. */
import type { ConditionalAccessPolicy } from "../snapshot/schema.js";
import {
  CA_NEEDS,
  conditionalAccessApplies,
  dedicatedPolicies,
  NO_PRINCIPALS,
  noEmergencyPrincipals,
  policySubject,
} from "./ea-ca-02-dedicated-policy.js";
import { readCheckDocs } from "./docs.js";
import type { Check, Finding } from "./types.js";

type Frequency = "everyTime" | { hours: number } | { days: number };

const describe = (f: Frequency) =>
  f === "everyTime" ? "every time" : "hours" in f ? `${f.hours} hour(s)` : `${f.days} day(s)`;

/** Hours of a time-based setting, or 0 for every time; undefined when it is off or unreadable. */
function configuredHours(sif: Record<string, any> | null | undefined): number | undefined {
  if (!sif || sif.isEnabled !== true) return undefined;
  if (sif.frequencyInterval === "everyTime") return 0;
  if (typeof sif.value !== "number") return undefined;
  if (sif.type === "hours") return sif.value;
  if (sif.type === "days") return sif.value * 24;
  return undefined;
}

function problems(p: ConditionalAccessPolicy, wanted: Frequency): string[] {
  const session = (p.sessionControls ?? {}) as Record<string, any>;
  const out: string[] = [];
  const hours = configuredHours(session.signInFrequency);
  const limit = wanted === "everyTime" ? 0 : "hours" in wanted ? wanted.hours : wanted.days * 24;
  if (hours === undefined) out.push(`sign-in frequency is not set (wanted: ${describe(wanted)})`);
  else if (hours > limit)
    out.push(
      `sign-in frequency is ${session.signInFrequency.value} ${session.signInFrequency.type} (wanted: ${describe(wanted)})`,
    );
  const pb = session.persistentBrowser;
  if (!pb || pb.isEnabled !== true || pb.mode !== "never")
    out.push(`persistent browser session is ${pb?.isEnabled === true ? pb.mode : "not set"} (wanted: never)`);
  return out;
}

export const check: Check = {
  id: "EA-CA-04",
  title: "The dedicated policy forces re-authentication and no persistent browser session",
  severity: "medium",
  sources: ["000", "002"],
  needs: CA_NEEDS,
  get docs() {
    return readCheckDocs(import.meta.url);
  },
  appliesTo(ctx) {
    const reason = conditionalAccessApplies(ctx);
    if (reason) return reason;
    if (
      ctx.snapshot.conditionalAccessPolicies &&
      !noEmergencyPrincipals(ctx) &&
      dedicatedPolicies(ctx).policies.length === 0
    )
      return "there is no dedicated policy (EA-CA-02 fails)";
    return undefined;
  },
  evaluate(ctx) {
    if (!ctx.snapshot.conditionalAccessPolicies) return [];
    if (noEmergencyPrincipals(ctx) && ctx.config.dedicatedPolicyIds.length === 0) return [NO_PRINCIPALS];
    const wanted = ctx.config.profile.signInFrequency as Frequency;
    return dedicatedPolicies(ctx).policies.map((p): Finding => {
      const found = problems(p, wanted);
      return {
        status: found.length ? "fail" : "pass",
        subject: policySubject(p),
        message: found.length
          ? `Dedicated policy "${p.displayName ?? p.id}": ${found.join("; ")}.`
          : `Dedicated policy "${p.displayName ?? p.id}" asks for sign-in ${describe(wanted)} and never keeps the browser session.`,
        evidence: { sessionControls: p.sessionControls ?? null, wantedSignInFrequency: wanted },
        ...(found.length
          ? {
              remediation: {
                summary: `Set the dedicated policy's sign-in frequency to ${describe(wanted)} and persistent browser session to never.`,
                portal:
                  "Microsoft Entra admin center > Protection > Conditional Access > the dedicated policy > Session: Sign-in frequency; Persistent browser session: Never persistent",
                graph: `PATCH https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies/${p.id} {"sessionControls":{"signInFrequency":${
                  wanted === "everyTime"
                    ? '{"isEnabled":true,"frequencyInterval":"everyTime","authenticationType":"primaryAndSecondaryAuthentication"}'
                    : `{"isEnabled":true,"frequencyInterval":"timeBased","type":"${"hours" in wanted ? "hours" : "days"}","value":${"hours" in wanted ? wanted.hours : wanted.days}}`
                },"persistentBrowser":{"isEnabled":true,"mode":"never"}}}`,
                powershell: `Update-MgIdentityConditionalAccessPolicy -ConditionalAccessPolicyId ${p.id} -BodyParameter $session`,
              },
            }
          : {}),
      };
    });
  },
};
