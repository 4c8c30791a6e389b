/**
 * role (docs/deploy.md step 8): Global Administrator, permanent and active, by a direct role
 * assignment to the group (`roleAssignment: group` or `any`) or to each account (`direct`); an
 * expiring active assignment is made permanent, an eligible one removed. Held by the enrollment
 * gate: an account never holds Global Administrator while its only ways in are a password and a TAP.
 */
import { GLOBAL_ADMINISTRATOR, norm } from "../snapshot/directory.js";
import type { Planning } from "./planning.js";
import { withWaiting } from "./activate.js";
import { fingerprint, makeStep, odataString, stepKey } from "./step.js";
import type { ObjectRef, Step } from "./types.js";

export const KIND = "role";
const JUSTIFICATION = "Emergency access account (breakglass deploy)";
const DIRECTORY = "/v1.0/roleManagement/directory";

export interface Principal {
  key: string;
  id: string;
  label: string;
}

export interface RoleDiff {
  assign: Principal[];
  makePermanent: Principal[];
  removeEligible: Principal[];
}

const isGa = (p: Planning, roleDefinitionId: string) =>
  p.directory.roleTemplate(roleDefinitionId) === GLOBAL_ADMINISTRATOR;
const atRoot = (scope: string | null | undefined) => (scope ?? "/") === "/";

export function principals(p: Planning, groupLabel: string): Principal[] {
  if (p.profile.roleAssignment === "direct")
    return [...p.ids.accounts.entries()].map(([key, id]) => ({
      key,
      id,
      label: p.desired.accounts.find((a) => a.key === key)?.userPrincipalName ?? key,
    }));
  return [{ key: stepKey(groupLabel), id: p.ids.group!, label: groupLabel }];
}

export function diff(p: Planning, wanted: Principal[]): RoleDiff {
  const s = p.snapshot;
  const out: RoleDiff = { assign: [], makePermanent: [], removeEligible: [] };
  const ids = new Set([...wanted.map((w) => norm(w.id)), ...[...p.ids.accounts.values()].map(norm)]);
  for (const w of wanted) {
    const active = (s.roleAssignments ?? []).some(
      (a) => norm(a.principalId) === norm(w.id) && isGa(p, a.roleDefinitionId) && atRoot(a.directoryScopeId),
    );
    if (!active) {
      out.assign.push(w);
      continue;
    }
    const expiring = (s.roleAssignmentSchedules ?? []).some(
      (x) =>
        norm(x.principalId) === norm(w.id) &&
        isGa(p, x.roleDefinitionId) &&
        atRoot(x.directoryScopeId) &&
        (x.scheduleInfo?.expiration?.type ?? "noExpiration").toLowerCase() !== "noexpiration",
    );
    if (expiring) out.makePermanent.push(w);
  }
  for (const x of s.roleEligibilitySchedules ?? [])
    if (ids.has(norm(x.principalId)) && isGa(p, x.roleDefinitionId) && atRoot(x.directoryScopeId)) {
      const label =
        p.directory.user(x.principalId)?.userPrincipalName ??
        p.directory.groups.get(norm(x.principalId))?.displayName ??
        x.principalId;
      if (!out.removeEligible.some((e) => norm(e.id) === norm(x.principalId)))
        out.removeEligible.push({ key: stepKey(label), id: x.principalId, label });
    }
  return out;
}

const request = (action: string, w: Principal, permanent: boolean) => ({
  action,
  justification: JUSTIFICATION,
  principalId: w.id,
  roleDefinitionId: GLOBAL_ADMINISTRATOR,
  directoryScopeId: "/",
  ...(permanent ? { scheduleInfo: { expiration: { type: "noExpiration" } } } : {}),
});

export function steps(d: RoleDiff, p: Planning): Step[] {
  const out: Step[] = [];
  const ref = (w: Principal): ObjectRef => ({
    type: "roleAssignment",
    key: w.key,
    name: `Global Administrator/${w.label}`,
    ...(w.id.startsWith("{{") ? {} : { id: w.id }),
  });
  const held = (w: Principal) =>
    (p.snapshot.roleAssignments ?? [])
      .filter((a) => norm(a.principalId) === norm(w.id))
      .map((a) => a.id)
      .sort();
  for (const w of d.assign)
    out.push(
      makeStep({
        id: `${KIND}.${w.key}`,
        kind: KIND,
        action: "create",
        objectRef: ref(w),
        summary: `assign Global Administrator, permanent and active, to ${w.label}`,
        changes: [{ property: "roleDefinitionId", new: GLOBAL_ADMINISTRATOR }],
        request: {
          method: "POST",
          url: `${DIRECTORY}/roleAssignments`,
          body: {
            "@odata.type": "#microsoft.graph.unifiedRoleAssignment",
            principalId: w.id,
            roleDefinitionId: GLOBAL_ADMINISTRATOR,
            directoryScopeId: "/",
          },
        },
        lookup: `${DIRECTORY}/roleAssignments?$filter=principalId eq ${odataString(w.id)} and roleDefinitionId eq ${odataString(GLOBAL_ADMINISTRATOR)}`,
        dependsOn: [fingerprint(ref(w), w.id.startsWith("{{") ? undefined : { assignments: held(w) })],
        satisfies: ["EA-ROLE-01", "EA-ROLE-02"],
        risk: 'with PIM in use, Entra raises the alert "Roles are being assigned outside of Privileged Identity Management"',
      }),
    );
  for (const w of d.makePermanent)
    out.push(
      makeStep({
        id: `${KIND}.${w.key}.permanent`,
        kind: KIND,
        action: "update",
        objectRef: ref(w),
        summary: `make Global Administrator of ${w.label} permanent`,
        changes: [{ property: "scheduleInfo.expiration.type", old: "expiring", new: "noExpiration" }],
        request: {
          method: "POST",
          url: `${DIRECTORY}/roleAssignmentScheduleRequests`,
          body: request("adminUpdate", w, true),
        },
        dependsOn: [fingerprint(ref(w), { assignments: held(w) })],
        satisfies: ["EA-ROLE-02"],
      }),
    );
  for (const w of d.removeEligible)
    out.push(
      makeStep({
        id: `${KIND}.${w.key}.eligible`,
        kind: KIND,
        action: "destroy",
        objectRef: {
          type: "roleEligibilitySchedule",
          key: w.key,
          id: w.id,
          name: `Global Administrator/${w.label}`,
        },
        summary: `remove the eligible Global Administrator assignment of ${w.label}`,
        request: {
          method: "POST",
          url: `${DIRECTORY}/roleEligibilityScheduleRequests`,
          body: request("adminRemove", w, false),
        },
        dependsOn: [],
        satisfies: ["EA-ROLE-02"],
      }),
    );
  return out.map((s) => withWaiting(s, p));
}
