/**
 * exclusions (docs/deploy.md step 5): the emergency group added to `excludeGroups` of every other
 * Conditional Access policy that targets users, in any state, Microsoft-managed ones included. Graph
 * replaces arrays whole on PATCH, so the policy's `conditions.users` object is sent back as read,
 * with only the group appended. The dedicated policy, `allowedPolicyIds` and workload-identity
 * policies are left alone.
 */
import { norm } from "../snapshot/directory.js";
import type { ConditionalAccessPolicy } from "../snapshot/schema.js";
import type { Planning } from "./planning.js";
import { POLICIES_URL } from "./policy.js";
import { fingerprint, hasId, makeStep, stepKey } from "./step.js";
import type { Step } from "./types.js";

export const KIND = "exclusions";

type CaUsers = NonNullable<NonNullable<ConditionalAccessPolicy["conditions"]>["users"]>;

/** Whether a policy applies to users at all (not a workload-identity policy, not `None` only). */
export function targetsUsers(x: ConditionalAccessPolicy): boolean {
  const c = x.conditions ?? {};
  // clientApplications is not in the snapshot schema (workload identities only): read it narrowly.
  const apps = (c as { clientApplications?: { includeServicePrincipals?: unknown } | null })
    .clientApplications;
  if (Array.isArray(apps?.includeServicePrincipals) && apps.includeServicePrincipals.length) return false;
  const u = c.users;
  if (!u) return false;
  const includeUsers = u.includeUsers ?? [];
  return (
    includeUsers.some((x) => x.toLowerCase() !== "none") ||
    (u.includeGroups ?? []).length > 0 ||
    (u.includeRoles ?? []).length > 0 ||
    !!u.includeGuestsOrExternalUsers
  );
}

export interface ExclusionActual {
  policies: ConditionalAccessPolicy[];
}

/** Every policy other than the dedicated and allowed ones. */
export function read(p: Planning, dedicatedPolicyId?: string): ExclusionActual {
  const skip = new Set([...p.config.allowedPolicyIds, ...p.config.dedicatedPolicyIds].map(norm));
  if (dedicatedPolicyId) skip.add(norm(dedicatedPolicyId));
  return {
    policies: (p.snapshot.conditionalAccessPolicies ?? []).filter(
      (x) => !skip.has(norm(x.id)) && targetsUsers(x),
    ),
  };
}

export interface ExclusionDiff {
  policy: ConditionalAccessPolicy;
  key: string;
  users: CaUsers;
}

export function diff(actual: ExclusionActual, groupId: string): ExclusionDiff[] {
  const used = new Set<string>();
  const out: ExclusionDiff[] = [];
  for (const x of actual.policies) {
    const users: CaUsers = x.conditions?.users ?? {};
    if (hasId(users.excludeGroups, groupId)) continue;
    let key = stepKey(x.displayName ?? x.id);
    if (used.has(key)) key = `${key}-${stepKey(x.id, 8)}`;
    used.add(key);
    out.push({
      policy: x,
      key,
      users: { ...users, excludeGroups: [...(users.excludeGroups ?? []), groupId] },
    });
  }
  return out;
}

/** The fingerprint of a policy for this kind: its users and its modification time. */
export const managedUsers = (x: ConditionalAccessPolicy) => ({
  users: x.conditions?.users ?? null,
  modifiedDateTime: (x as { modifiedDateTime?: unknown }).modifiedDateTime ?? null,
});

export function steps(diffs: ExclusionDiff[]): Step[] {
  return diffs.map((d) => {
    const objectRef = {
      type: "conditionalAccessPolicy" as const,
      key: d.key,
      id: d.policy.id,
      ...(d.policy.displayName ? { name: d.policy.displayName } : {}),
    };
    const old = d.policy.conditions?.users?.excludeGroups ?? [];
    return makeStep({
      id: `${KIND}.${d.key}`,
      kind: KIND,
      action: "update",
      objectRef,
      summary: `exclude the emergency group from "${d.policy.displayName ?? d.policy.id}"`,
      changes: [{ property: "conditions.users.excludeGroups", old, new: d.users.excludeGroups }],
      request: {
        method: "PATCH",
        url: `${POLICIES_URL}/${d.policy.id}`,
        body: { conditions: { users: d.users } },
      },
      dependsOn: [fingerprint(objectRef, managedUsers(d.policy))],
      satisfies: ["EA-CA-01", "EA-CA-07"],
    });
  });
}
