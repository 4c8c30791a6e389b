/**
 * Who is signing in, as Conditional Access sees it (docs/ca-semantics.md §1.2): transitive groups,
 * directory roles held *actively* at tenant scope (built-in templates; PIM-eligible roles count
 * only once activated), and the external-user kind. Also explains the path that pulls an
 * identity into a policy ("via group G, nested in H", "via role R, active through group E").
 */
import type { Directory, RoleHolding } from "../snapshot/directory.js";
import { norm } from "../snapshot/directory.js";
import { usersHit } from "./policy.js";
import type { Identity } from "./types.js";

/** Holdings at tenant scope only: AU- and object-scoped assignments are not honoured by CA. */
const tenantScope = (h: RoleHolding) => (h.directoryScopeId ?? "/") === "/";

export function externalKindOf(
  user: { userPrincipalName?: string | null; userType?: string | null } | undefined,
): string | undefined {
  if (!user) return undefined;
  const upn = String(user.userPrincipalName ?? "");
  const ext = upn.includes("#EXT#");
  if (user.userType === "Guest") return ext ? "b2bCollaborationGuest" : "internalGuest";
  if (ext) return "b2bCollaborationMember";
  return undefined;
}

export interface IdentityOptions {
  /** eligible role templates considered activated in this scenario. */
  activated?: Iterable<string>;
}

export function identityOf(directory: Directory, userId: string, opts: IdentityOptions = {}): Identity {
  const id = norm(directory.user(userId)?.id ?? userId);
  const holdings = directory.holdingsOf(id).filter(tenantScope);
  const active = new Set(holdings.filter((h) => h.kind === "active").map((h) => h.roleTemplateId));
  for (const r of opts.activated ?? []) active.add(norm(r));
  const user = directory.user(id);
  return {
    userId: id,
    groups: directory.transitiveGroupsOf(id),
    activeRoles: active,
    externalKind: externalKindOf(user),
  };
}

/** Eligible role templates (tenant scope) the user could activate: PIM's lockout surface. */
export function eligibleRoles(directory: Directory, userId: string): string[] {
  const active = new Set(
    directory
      .holdingsOf(userId)
      .filter((h) => tenantScope(h) && h.kind === "active")
      .map((h) => h.roleTemplateId),
  );
  return [
    ...new Set(
      directory
        .holdingsOf(userId)
        .filter((h) => tenantScope(h) && h.kind === "eligible" && !active.has(h.roleTemplateId))
        .map((h) => h.roleTemplateId),
    ),
  ].sort();
}

const groupName = (d: Directory, id: string) => d.groups.get(id)?.displayName ?? id;

function groupPath(d: Directory, groupId: string, userId: string): string {
  const path = d.transitiveUserMembers(groupId).get(userId) ?? [groupId];
  const [outer, ...inner] = path;
  return inner.length
    ? `via group ${groupName(d, outer!)}, nested in ${inner.map((g) => groupName(d, g)).join(", nested in ")}`
    : `via group ${groupName(d, outer!)}`;
}

function rolePath(d: Directory, roleTemplateId: string, userId: string, activated: boolean): string {
  const h = d
    .holdingsOf(userId)
    .filter((x) => tenantScope(x) && x.roleTemplateId === roleTemplateId)
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "active" ? -1 : 1))[0];
  const name = d.roleName(roleTemplateId);
  const how = h?.kind === "active" ? "active" : activated ? "eligible, once activated" : "active";
  if (h?.via === "group" && h.groupId) {
    const nested = (h.groupPath ?? []).slice(1).map((g) => groupName(d, g));
    return `via role ${name}, ${how} through group ${groupName(d, h.groupId)}${nested.length ? ` (nested ${nested.join(", ")})` : ""}`;
  }
  return `via role ${name}, ${how}${h ? " (direct assignment)" : ""}`;
}

/** How the identity is pulled into (side include) or out of (exclude) a policy's users condition. */
export function explainUsers(
  directory: Directory,
  usersCond: Record<string, unknown> | null | undefined,
  identity: Identity,
  side: "include" | "exclude",
  activated: ReadonlySet<string> = new Set(),
): string | undefined {
  const hit = usersHit(usersCond, identity, side);
  if (!hit) return undefined;
  switch (hit.kind) {
    case "all":
      return "via All users";
    case "user":
      return "named directly as a user";
    case "guests":
      return hit.maybe
        ? `as an external user (${identity.externalKind}) if its home tenant is one the policy lists (not known)`
        : `as an external user (${identity.externalKind})`;
    case "group":
      return groupPath(directory, hit.id!, identity.userId);
    case "role":
      return rolePath(directory, hit.id!, identity.userId, activated.has(hit.id!));
  }
}
