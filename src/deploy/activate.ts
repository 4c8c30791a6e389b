/**
 * activate (docs/deploy.md step 7): the dedicated policy switched on, only once every account is
 * enrolled (the enrollment gate); until then the step is shown as waiting.
 */
import type { Planning } from "./planning.js";
import { fingerprint, makeStep } from "./step.js";
import { managedPolicy, type PolicyDiff, policyRef, POLICIES_URL } from "./policy.js";
import type { Step } from "./types.js";

export const KIND = "activate";

export interface ActivateDiff {
  policy: PolicyDiff;
  policyId: string;
  from: string;
}

export function diff(policy: PolicyDiff, policyId: string): ActivateDiff | undefined {
  const from = policy.policy?.state ?? policy.body.state;
  return from === "enabled" ? undefined : { policy, policyId, from };
}

const STATE_NAMES: Record<string, string> = {
  enabledForReportingButNotEnforced: "report-only",
  disabled: "off",
};

export function steps(d: ActivateDiff | undefined, p: Planning): Step[] {
  if (!d) return [];
  const objectRef = policyRef(d.policy);
  const step = makeStep({
    id: `${KIND}.${d.policy.key}`,
    kind: KIND,
    action: "update",
    objectRef,
    summary: `switch "${d.policy.displayName}" from ${STATE_NAMES[d.from] ?? d.from} to on`,
    changes: [{ property: "state", old: d.from, new: "enabled" }],
    request: { method: "PATCH", url: `${POLICIES_URL}/${d.policyId}`, body: { state: "enabled" } },
    dependsOn: [fingerprint(objectRef, d.policy.policy ? managedPolicy(d.policy.policy) : undefined)],
    satisfies: ["EA-CA-02", "EA-CA-06"],
  });
  return [withWaiting(step, p)];
}

/** Marks a step held by the enrollment gate, with the reason the plan shows. */
export function withWaiting(step: Step, p: Planning): Step {
  if (p.enrollment.complete) return step;
  const missing = p.enrollment.accounts.filter((a) => !a.enrolled).map((a) => a.userPrincipalName ?? a.key);
  return { ...step, waiting: `waiting for enrollment of ${missing.join(", ")}` };
}
