/**
 * policy (docs/deploy.md step 4): the dedicated Conditional Access policy. Users = the group,
 * resources = All, grant = the strength, sign-in frequency as the profile says, persistent browser
 * never; created report-only (activate switches it on after enrollment). Adopted by
 * `dedicatedPolicyIds`, `names.policy`, or the one policy that targets only the emergency principals.
 */
import type { Profile } from "../config/schema.js";
import { norm } from "../snapshot/directory.js";
import type { ConditionalAccessPolicy } from "../snapshot/schema.js";
import { PlanInputError } from "./desired.js";
import type { Planning } from "./planning.js";
import { fingerprint, makeStep, odataString, sameIdSet, stepKey } from "./step.js";
import { type ObjectRef, type PropertyChange, refToken, type Step } from "./types.js";

export const KIND = "policy";
export const REPORT_ONLY = "enabledForReportingButNotEnforced";
export const POLICIES_URL = "/v1.0/identity/conditionalAccess/policies";

type Json = Record<string, unknown>;
type CaUsers = NonNullable<NonNullable<ConditionalAccessPolicy["conditions"]>["users"]>;

/** The session control's sign-in frequency as deploy sends it. */
export interface SignInFrequencyBody {
  isEnabled: boolean;
  frequencyInterval: "everyTime" | "timeBased";
  authenticationType: "primaryAndSecondaryAuthentication";
  type: "hours" | "days" | null;
  value: number | null;
}

export interface PolicyActual {
  policy?: ConditionalAccessPolicy;
}

/** Whether a policy's users are only emergency principals (the group, the accounts). */
function onlyEmergency(p: Planning, policy: ConditionalAccessPolicy): boolean {
  const u: CaUsers = policy.conditions?.users ?? {};
  const users = (u.includeUsers ?? []).map(norm);
  const groups = (u.includeGroups ?? []).map(norm);
  if ((u.includeRoles ?? []).length || u.includeGuestsOrExternalUsers) return false;
  if (!users.length && !groups.length) return false;
  const accounts = new Set([...p.ids.accounts.values()].map(norm));
  const group = p.ids.group ? norm(p.ids.group) : undefined;
  return users.every((x) => accounts.has(x)) && groups.every((g) => g === group);
}

export function read(p: Planning): PolicyActual {
  const all = p.snapshot.conditionalAccessPolicies ?? [];
  for (const id of p.desired.policy.ids) {
    const hit = all.find((x) => norm(x.id) === norm(id));
    if (!hit)
      throw new PlanInputError(`dedicatedPolicyIds: no Conditional Access policy ${id} in the tenant`);
    return { policy: hit };
  }
  const name = p.desired.policy.displayName;
  if (name) {
    const matches = all.filter((x) => x.displayName === name);
    if (matches.length > 1)
      throw new PlanInputError(
        `names.policy: ${matches.length} Conditional Access policies are named "${name}"; set dedicatedPolicyIds`,
      );
    if (matches[0]) return { policy: matches[0] };
  }
  const found = all.filter((x) => onlyEmergency(p, x));
  return found.length === 1 ? { policy: found[0] } : {};
}

export function signInFrequency(f: Profile["signInFrequency"]): SignInFrequencyBody {
  if (f === "everyTime")
    return {
      isEnabled: true,
      frequencyInterval: "everyTime",
      authenticationType: "primaryAndSecondaryAuthentication",
      type: null,
      value: null,
    };
  const [type, value] = "hours" in f ? (["hours", f.hours] as const) : (["days", f.days] as const);
  return {
    isEnabled: true,
    frequencyInterval: "timeBased",
    authenticationType: "primaryAndSecondaryAuthentication",
    type,
    value,
  };
}

const PERSISTENT_BROWSER_NEVER = { isEnabled: true, mode: "never" };

export function desiredBody(p: Planning, displayName: string, groupId: string, strengthId: string) {
  return {
    displayName,
    state: REPORT_ONLY,
    conditions: {
      users: {
        includeUsers: [],
        excludeUsers: [],
        includeGroups: [groupId],
        excludeGroups: [],
        includeRoles: [],
        excludeRoles: [],
      } satisfies Record<(typeof USER_ARRAYS)[number], string[]>,
      applications: { includeApplications: ["All"], excludeApplications: [], includeUserActions: [] },
      clientAppTypes: ["all"],
    },
    grantControls: {
      operator: "OR",
      builtInControls: [],
      customAuthenticationFactors: [],
      termsOfUse: [],
      authenticationStrength: { id: strengthId },
    },
    sessionControls: {
      signInFrequency: signInFrequency(p.profile.signInFrequency),
      persistentBrowser: PERSISTENT_BROWSER_NEVER,
    },
  };
}

export type DesiredPolicyBody = ReturnType<typeof desiredBody>;

export interface PolicyDiff {
  key: string;
  displayName: string;
  policy?: ConditionalAccessPolicy;
  body: DesiredPolicyBody;
  /** for an update: the PATCH body (only the parts that differ) and what changed. */
  patch: Json;
  changes: PropertyChange[];
  satisfies: string[];
}

export const managedPolicy = (x: ConditionalAccessPolicy) => ({
  state: x.state,
  conditions: x.conditions ?? null,
  grantControls: x.grantControls
    ? { ...x.grantControls, authenticationStrength: x.grantControls.authenticationStrength?.id ?? null }
    : null,
  sessionControls: x.sessionControls ?? null,
  modifiedDateTime: (x as { modifiedDateTime?: unknown }).modifiedDateTime ?? null,
});

const USER_ARRAYS = [
  "includeUsers",
  "excludeUsers",
  "includeGroups",
  "excludeGroups",
  "includeRoles",
  "excludeRoles",
] as const;

export function diff(p: Planning, actual: PolicyActual, groupId: string, strengthId: string): PolicyDiff {
  const x = actual.policy;
  const displayName = p.desired.policy.displayName ?? x?.displayName ?? undefined;
  if (!displayName)
    throw new PlanInputError(
      "names.policy: the dedicated Conditional Access policy needs a name (breakglass init writes one)",
    );
  const body = desiredBody(p, displayName, groupId, strengthId);
  const out: PolicyDiff = {
    key: stepKey(displayName),
    displayName,
    body,
    patch: {},
    changes: [],
    satisfies: [],
  };
  if (!x) {
    out.satisfies = ["EA-CA-02", "EA-CA-03", "EA-CA-04"];
    return out;
  }
  out.policy = x;
  const c = x.conditions ?? {};
  const users: CaUsers = c.users ?? {};
  const conditions: Json = {};
  for (const k of USER_ARRAYS)
    if (!sameIdSet(users[k], body.conditions.users[k]))
      out.changes.push({
        property: `conditions.users.${k}`,
        old: users[k] ?? [],
        new: body.conditions.users[k],
      });
  if (out.changes.length || users.includeGuestsOrExternalUsers || users.excludeGuestsOrExternalUsers)
    conditions.users = {
      ...body.conditions.users,
      includeGuestsOrExternalUsers: null,
      excludeGuestsOrExternalUsers: null,
    };
  const apps = c.applications ?? {};
  if (!sameIdSet(apps.includeApplications, ["All"]) || (apps.excludeApplications ?? []).length) {
    out.changes.push({
      property: "conditions.applications",
      old: {
        includeApplications: apps.includeApplications ?? [],
        excludeApplications: apps.excludeApplications ?? [],
      },
      new: { includeApplications: ["All"], excludeApplications: [] },
    });
    conditions.applications = body.conditions.applications;
  }
  if (!sameIdSet(c.clientAppTypes, ["all"])) {
    out.changes.push({ property: "conditions.clientAppTypes", old: c.clientAppTypes ?? [], new: ["all"] });
    conditions.clientAppTypes = ["all"];
  }
  if (Object.keys(conditions).length) {
    out.patch.conditions = conditions;
    out.satisfies.push("EA-CA-02");
  }
  const grant = x.grantControls ?? {};
  const grantChanges: PropertyChange[] = [];
  if (norm(grant.authenticationStrength?.id) !== norm(strengthId))
    grantChanges.push({
      property: "grantControls.authenticationStrength",
      old: grant.authenticationStrength?.id ?? null,
      new: strengthId,
    });
  if ((grant.builtInControls ?? []).length)
    grantChanges.push({ property: "grantControls.builtInControls", old: grant.builtInControls, new: [] });
  if (grantChanges.length) {
    out.changes.push(...grantChanges);
    out.patch.grantControls = body.grantControls;
    out.satisfies.push("EA-CA-03");
  }
  const session = x.sessionControls ?? {};
  const sessionPatch: Json = {};
  const wantSif = body.sessionControls.signInFrequency;
  const sif = session.signInFrequency ?? {};
  const SIF_KEYS = ["isEnabled", "frequencyInterval", "type", "value"] as const;
  if (SIF_KEYS.some((k) => (sif[k] ?? null) !== wantSif[k])) {
    out.changes.push({
      property: "sessionControls.signInFrequency",
      old: session.signInFrequency ?? null,
      new: wantSif,
    });
    sessionPatch.signInFrequency = wantSif;
  }
  const pb = session.persistentBrowser ?? {};
  if (pb.isEnabled !== true || pb.mode !== "never") {
    out.changes.push({
      property: "sessionControls.persistentBrowser",
      old: session.persistentBrowser ?? null,
      new: PERSISTENT_BROWSER_NEVER,
    });
    sessionPatch.persistentBrowser = PERSISTENT_BROWSER_NEVER;
  }
  if (Object.keys(sessionPatch).length) {
    out.patch.sessionControls = sessionPatch;
    out.satisfies.push("EA-CA-04");
  }
  return out;
}

export const stepId = (d: { key: string }): string => `${KIND}.${d.key}`;

export function policyRef(d: {
  key: string;
  displayName: string;
  policy?: ConditionalAccessPolicy;
}): ObjectRef {
  return {
    type: "conditionalAccessPolicy",
    key: d.key,
    name: d.displayName,
    ...(d.policy ? { id: d.policy.id } : {}),
  };
}

export function steps(d: PolicyDiff): Step[] {
  const objectRef = policyRef(d);
  const dependsOn = [fingerprint(objectRef, d.policy ? managedPolicy(d.policy) : undefined)];
  if (!d.policy)
    return [
      makeStep({
        id: stepId(d),
        kind: KIND,
        action: "create",
        objectRef,
        summary: `create Conditional Access policy "${d.displayName}" (report-only until enrollment)`,
        changes: [
          { property: "state", new: REPORT_ONLY },
          { property: "conditions.users.includeGroups", new: d.body.conditions.users.includeGroups },
          {
            property: "grantControls.authenticationStrength",
            new: d.body.grantControls.authenticationStrength.id,
          },
        ],
        request: { method: "POST", url: POLICIES_URL, body: d.body },
        lookup: `${POLICIES_URL}?$filter=displayName eq ${odataString(d.displayName)}`,
        dependsOn,
        satisfies: d.satisfies,
      }),
    ];
  if (!d.changes.length) return [];
  return [
    makeStep({
      id: stepId(d),
      kind: KIND,
      action: "update",
      objectRef,
      summary: `update Conditional Access policy "${d.displayName}"`,
      changes: d.changes,
      request: { method: "PATCH", url: `${POLICIES_URL}/${d.policy.id}`, body: d.patch },
      dependsOn,
      satisfies: d.satisfies,
    }),
  ];
}

export const idOf = (d: PolicyDiff): string => (d.policy ? d.policy.id : refToken(stepId(d)));
