/**
 * Writes a restricted-management administrative unit keeps out (docs/graph-writes.md 0.6): Graph
 * application permissions and tenant-wide roles do not reach the unit's members; only a role
 * assigned at the unit's scope does (and, for a role-assignable group's membership, a tenant-wide
 * Global or Privileged Role Administrator). Apply asks this before sending anything, so a repair of
 * accounts in such a unit is refused whole instead of failing half-way on a 403. Pure.
 */
import { norm } from "../snapshot/directory.js";
import type { Snapshot } from "../snapshot/schema.js";
import { KIND as AU_KIND } from "./au.js";
import type { Step } from "./types.js";

const GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10";
const PRIVILEGED_ROLE_ADMINISTRATOR = "e8611ab8-c189-46e8-94e1-60213ab1f814";

export interface UnitScopeGap {
  stepId: string;
  unit: { id: string; displayName: string | null };
}

export interface Caller {
  /** the token's `oid`: the service principal's object id, or the signed-in user's */
  objectId: string;
  /** the directory role template ids the token carries (`wids`), tenant-wide */
  tenantRoles: readonly string[];
}

/** `/v1.0/users/{id}/...`, `/beta/groups/{id}/members/...`: the user or group a request writes. */
const TARGET = /^\/(?:v1\.0|beta)\/(users|groups)\/([^/?{]+)(\/[^?]*)?/i;

/** The steps the caller cannot send because they write to a member of a restricted unit it holds no role in. */
export function unitScopeGaps(snapshot: Snapshot, steps: readonly Step[], caller: Caller): UnitScopeGap[] {
  const units = (snapshot.administrativeUnits ?? []).filter((u) => u.isMemberManagementRestricted === true);
  if (!units.length) return [];
  const unitsOf = new Map<string, typeof units>();
  for (const unit of units)
    for (const m of unit.members ?? []) unitsOf.set(norm(m.id), [...(unitsOf.get(norm(m.id)) ?? []), unit]);
  // the caller, and the groups it is a direct member of (a role can be assigned to a group)
  const principals = new Set([norm(caller.objectId)]);
  for (const g of snapshot.groups ?? [])
    if ((g.members ?? []).some((m) => norm(m.id) === norm(caller.objectId))) principals.add(norm(g.id));
  const scoped = new Set(
    (snapshot.roleAssignments ?? [])
      .filter((ra) => principals.has(norm(ra.principalId ?? "")))
      .map((ra) => norm(ra.directoryScopeId ?? "/")),
  );
  const tenantRoles = new Set(caller.tenantRoles.map(norm));
  const membershipRole =
    tenantRoles.has(GLOBAL_ADMINISTRATOR) || tenantRoles.has(PRIVILEGED_ROLE_ADMINISTRATOR);
  const roleAssignable = new Set(
    (snapshot.groups ?? []).filter((g) => g.isAssignableToRole === true).map((g) => norm(g.id)),
  );

  const gaps: UnitScopeGap[] = [];
  for (const step of steps) {
    if (step.request.service !== "graph" || step.kind === AU_KIND) continue;
    const m = TARGET.exec(step.request.url);
    if (!m) continue;
    const [, collection, id, rest = ""] = m;
    for (const unit of unitsOf.get(norm(id!)) ?? []) {
      if (scoped.has(norm(`/administrativeUnits/${unit.id}`))) continue;
      const membership =
        collection!.toLowerCase() === "groups" && /^\/members\//i.test(rest) && roleAssignable.has(norm(id!));
      if (membership && membershipRole) continue;
      gaps.push({ stepId: step.id, unit: { id: unit.id, displayName: unit.displayName ?? null } });
    }
  }
  return gaps;
}
