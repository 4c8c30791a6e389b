/** EA-CA-04: the dedicated policy's session controls: sign-in frequency and no persistent browser. */
import type { ConditionalAccessPolicy } from "../snapshot/schema.js";
import {
  CA_NEEDS,
  dedicatedPolicies,
  dedicatedPolicyGate,
  defineCheck,
  malformedDedicated,
  policySubject,
  principalsUnknown,
} from "./lib/index.js";
import type { Finding } from "./types.js";

type Frequency = "everyTime" | { hours: number } | { days: number };

const describe = (f: Frequency) =>
  f === "everyTime" ? "every time" : "hours" in f ? `${f.hours} hour(s)` : `${f.days} day(s)`;

type SessionControls = NonNullable<ConditionalAccessPolicy["sessionControls"]>;

/** Hours of a time-based setting, or 0 for every time; undefined when it is off or unreadable. */
function configuredHours(sif: SessionControls["signInFrequency"]): number | undefined {
  if (!sif || sif.isEnabled !== true) return undefined;
  if (sif.frequencyInterval === "everyTime") return 0;
  if (typeof sif.value !== "number") return undefined;
  if (sif.type === "hours") return sif.value;
  if (sif.type === "days") return sif.value * 24;
  return undefined;
}

function problems(p: ConditionalAccessPolicy, wanted: Frequency): string[] {
  const session: SessionControls = p.sessionControls ?? {};
  const out: string[] = [];
  const hours = configuredHours(session.signInFrequency);
  const limit = wanted === "everyTime" ? 0 : "hours" in wanted ? wanted.hours : wanted.days * 24;
  if (hours === undefined) out.push(`sign-in frequency is not set (wanted: ${describe(wanted)})`);
  else if (hours > limit)
    out.push(
      `sign-in frequency is ${session.signInFrequency?.value} ${session.signInFrequency?.type} (wanted: ${describe(wanted)})`,
    );
  const pb = session.persistentBrowser;
  if (!pb || pb.isEnabled !== true || pb.mode !== "never")
    out.push(`persistent browser session is ${pb?.isEnabled === true ? pb.mode : "not set"} (wanted: never)`);
  return out;
}

export const check = defineCheck(import.meta.url, {
  id: "EA-CA-04",
  title: "The dedicated policy forces re-authentication and no persistent browser session",
  severity: "medium",
  sources: ["000", "002"],
  needs: CA_NEEDS,
  appliesTo: dedicatedPolicyGate,
  evaluate(ctx) {
    if (!ctx.snapshot.conditionalAccessPolicies) return [];
    const unknownPrincipals = principalsUnknown(ctx, "dedicated");
    if (unknownPrincipals) return [unknownPrincipals];
    const wanted = ctx.config.profile.signInFrequency as Frequency;
    const graded = dedicatedPolicies(ctx).policies.map((p): Finding => {
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
                command: "breakglass apply --target policy",
              },
            }
          : {}),
      };
    });
    return [...malformedDedicated(ctx), ...graded];
  },
});
