/**
 * A read-only index over a snapshot's directory: users, groups and their transitive membership,
 * role holders (active and eligible, direct and through groups), licences. Every layer that asks
 * "who is in this group" or "who holds Global Administrator" asks it here, so the answer is the same
 * for export, checks and the Conditional Access engine.
 */
import { idIndex } from "./ids.js";
import type { Group, GroupSchedule, RoleSchedule, Snapshot, User } from "./schema.js";

export const GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10";

/** Built-in role template ids (stable across tenants). */
export const ROLE_TEMPLATES = {
  "Global Administrator": GLOBAL_ADMINISTRATOR,
  "Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
  "Privileged Authentication Administrator": "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
  "Security Administrator": "194ae4cb-b126-40b2-bd5b-6091b380977d",
  "Conditional Access Administrator": "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
  "Authentication Policy Administrator": "0526716b-113d-4c15-b2c8-68e3c22b9f80",
  "Authentication Administrator": "c4e39bd9-1100-46d3-8c65-fb160da0071f",
  "User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
  "Helpdesk Administrator": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
  "Hybrid Identity Administrator": "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
  "Application Administrator": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
  "Cloud Application Administrator": "158c047a-c907-4556-b7ef-446551a6b5f7",
  "Exchange Administrator": "29232cdf-9323-42fd-ade2-1d097af3e4de",
  "SharePoint Administrator": "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
  "Intune Administrator": "3a2c62db-5318-420d-8d74-23affee5d9d5",
  "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
} as const;

/** docs/checks.md "Privileged users": the fallback list where role definitions carry no `isPrivileged`. */
export const PRIVILEGED_ROLE_TEMPLATES: ReadonlySet<string> = new Set(
  Object.entries(ROLE_TEMPLATES)
    .filter(([name]) => name !== "Global Reader")
    .map(([, id]) => id),
);

/** Service plans that carry Entra ID P1 / P2 inside any SKU (E3, E5, EMS, standalone...). */
export const P1_PLANS = new Set(["AAD_PREMIUM", "41781fb2-bc02-4b7c-bd55-b576c07bb09d"]);
export const P2_PLANS = new Set(["AAD_PREMIUM_P2", "eec0eb4f-6444-4f95-aba0-50c24d67f998"]);

export const norm = (id: string | null | undefined): string => (id ?? "").toLowerCase();
export const sameId = (a: string | null | undefined, b: string | null | undefined): boolean =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** One way a user holds a role. */
export interface RoleHolding {
  userId: string;
  roleTemplateId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  /** active = usable now (permanent or activated); eligible = needs PIM activation. */
  kind: "active" | "eligible";
  /** the role is assigned to the user, or to a group the user is in. */
  via: "direct" | "group";
  /** the group that holds the role, when via = group. */
  groupId?: string;
  /** the nesting path from the role-holding group down to the user (outermost first). */
  groupPath?: string[];
  /**
   * permanent: no end date anywhere on the path. false: an end date or a PIM-for-Groups activation
   * on the path. undefined: the schedules that would tell were not read.
   */
  permanent: boolean | undefined;
  /** the role schedule or assignment id this holding comes from. */
  sourceId: string;
  /** how the user is in the group: static membership, or PIM for Groups (active / eligible). */
  membership?: "static" | "pimActive" | "pimEligible";
}

const isNoExpiration = (s: { scheduleInfo?: RoleSchedule["scheduleInfo"] }): boolean | undefined => {
  const type = s.scheduleInfo?.expiration?.type;
  if (!type) return undefined;
  return type === "noExpiration";
};

export class Directory {
  /** users and groups by lower-cased id: the snapshot's shared id index (src/snapshot/ids.ts). */
  readonly users: ReadonlyMap<string, User>;
  readonly usersByUpn = new Map<string, User>();
  readonly groups: ReadonlyMap<string, Group>;
  /** member id -> ids of the groups it is a direct member of. */
  private readonly directGroupsOf = new Map<string, Set<string>>();
  private readonly roleTemplateById = new Map<string, string>();
  private readonly roleNameByTemplate = new Map<string, string>();
  private readonly privilegedFlag = new Map<string, boolean>();
  private holdingsCache?: RoleHolding[];

  constructor(readonly snapshot: Snapshot) {
    this.users = idIndex(snapshot.users ?? []);
    this.groups = idIndex(snapshot.groups ?? []);
    for (const u of this.users.values()) {
      const upn = u.userPrincipalName?.toLowerCase();
      if (upn && !this.usersByUpn.has(upn)) this.usersByUpn.set(upn, u);
    }
    for (const g of this.groups.values()) {
      for (const m of g.members ?? []) {
        const set = this.directGroupsOf.get(norm(m.id)) ?? new Set<string>();
        set.add(norm(g.id));
        this.directGroupsOf.set(norm(m.id), set);
      }
    }
    for (const d of snapshot.roleDefinitions ?? []) {
      const template = norm(d.templateId ?? d.id);
      this.roleTemplateById.set(norm(d.id), template);
      this.roleTemplateById.set(template, template);
      if (d.displayName) this.roleNameByTemplate.set(template, d.displayName);
      if (typeof d.isPrivileged === "boolean") this.privilegedFlag.set(template, d.isPrivileged);
    }
    for (const [name, id] of Object.entries(ROLE_TEMPLATES)) {
      if (!this.roleNameByTemplate.has(id)) this.roleNameByTemplate.set(id, name);
    }
  }

  user(idOrUpn: string): User | undefined {
    return this.users.get(norm(idOrUpn)) ?? this.usersByUpn.get(norm(idOrUpn));
  }

  group(idOrName: string): Group | undefined {
    const byId = this.groups.get(norm(idOrName));
    if (byId) return byId;
    const matches = [...this.groups.values()].filter((g) => g.displayName === idOrName);
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** The template id of a role definition id (built-in definitions use the template id as id). */
  roleTemplate(roleDefinitionId: string): string {
    return this.roleTemplateById.get(norm(roleDefinitionId)) ?? norm(roleDefinitionId);
  }

  roleName(roleDefinitionOrTemplateId: string): string {
    const template = this.roleTemplate(roleDefinitionOrTemplateId);
    return this.roleNameByTemplate.get(template) ?? template;
  }

  /** docs/checks.md: `isPrivileged` where the definition has it, else the named fallback list. */
  isPrivilegedRole(roleDefinitionOrTemplateId: string): boolean {
    const template = this.roleTemplate(roleDefinitionOrTemplateId);
    return this.privilegedFlag.get(template) ?? PRIVILEGED_ROLE_TEMPLATES.has(template);
  }

  /** Ids of every group the object is in, directly or through nested groups. */
  transitiveGroupsOf(objectId: string): Set<string> {
    const out = new Set<string>();
    const queue = [norm(objectId)];
    while (queue.length) {
      const cur = queue.shift()!;
      for (const g of this.directGroupsOf.get(cur) ?? []) {
        if (!out.has(g)) {
          out.add(g);
          queue.push(g);
        }
      }
    }
    return out;
  }

  /** Ids of the direct groups of an object. */
  directGroupsOfObject(objectId: string): Set<string> {
    return new Set(this.directGroupsOf.get(norm(objectId)) ?? []);
  }

  /**
   * Every user in a group, directly or through nested groups, with the nesting path that pulls
   * each one in (outermost group first; the first path found, breadth first, so the shortest).
   */
  transitiveUserMembers(groupId: string): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const seen = new Set<string>([norm(groupId)]);
    const queue: Array<[string, string[]]> = [[norm(groupId), [norm(groupId)]]];
    while (queue.length) {
      const [gid, path] = queue.shift()!;
      const g = this.groups.get(gid);
      for (const m of g?.members ?? []) {
        const id = norm(m.id);
        const type = m["@odata.type"] ?? "";
        if (type.endsWith(".group") || (!type && this.groups.has(id))) {
          if (!seen.has(id)) {
            seen.add(id);
            queue.push([id, [...path, id]]);
          }
        } else if (type.endsWith(".user") || (!type && this.users.has(id))) {
          if (!out.has(id)) out.set(id, path);
        }
      }
    }
    return out;
  }

  /**
   * Every role a user holds, active and eligible, direct and through groups (static members and PIM
   * for Groups members). Deduplicated by (user, role, scope, kind, via group).
   */
  roleHoldings(): RoleHolding[] {
    if (this.holdingsCache) return this.holdingsCache;
    const s = this.snapshot;
    const holdings = new Map<string, RoleHolding>();
    const schedulesById = new Map((s.roleAssignmentSchedules ?? []).map((x) => [norm(x.id), x]));
    // Active: roleAssignments (the active view) and active assignment schedules.
    const active: Array<{
      id: string;
      principalId: string;
      roleDefinitionId: string;
      directoryScopeId?: string | null;
      permanent: boolean | undefined;
    }> = [];
    const schedulesRead = s.roleAssignmentSchedules !== undefined;
    for (const a of s.roleAssignments ?? []) {
      const sched =
        schedulesById.get(norm(a.id)) ??
        (s.roleAssignmentSchedules ?? []).find(
          (x) =>
            sameId(x.principalId, a.principalId) &&
            sameId(x.roleDefinitionId, a.roleDefinitionId) &&
            (x.directoryScopeId ?? "/") === (a.directoryScopeId ?? "/"),
        );
      active.push({
        ...a,
        permanent: sched ? isNoExpiration(sched) : schedulesRead ? undefined : undefined,
      });
    }
    for (const sched of s.roleAssignmentSchedules ?? []) {
      if (sched.status && !["Provisioned", "Granted", "ScheduleCreated"].includes(sched.status)) continue;
      active.push({ ...sched, permanent: isNoExpiration(sched) });
    }
    const eligible = (s.roleEligibilitySchedules ?? [])
      .filter((e) => !e.status || ["Provisioned", "Granted", "ScheduleCreated"].includes(e.status))
      .map((e) => ({ ...e, permanent: isNoExpiration(e) }));

    const add = (h: RoleHolding) => {
      const key = [
        h.userId,
        h.roleTemplateId,
        h.directoryScopeId,
        h.kind,
        h.groupId ?? "",
        h.membership ?? "",
      ].join("|");
      const prev = holdings.get(key);
      // Keep the strongest evidence: a permanent path beats an unknown one, which beats a time-bound one.
      const rank = (p: boolean | undefined) => (p === true ? 2 : p === undefined ? 1 : 0);
      if (!prev || rank(h.permanent) > rank(prev.permanent)) holdings.set(key, h);
    };

    const expand = (
      a: {
        id: string;
        principalId: string;
        roleDefinitionId: string;
        directoryScopeId?: string | null;
        permanent: boolean | undefined;
      },
      kind: "active" | "eligible",
    ) => {
      const roleTemplateId = this.roleTemplate(a.roleDefinitionId);
      const base = {
        roleTemplateId,
        roleDefinitionId: a.roleDefinitionId,
        directoryScopeId: a.directoryScopeId ?? "/",
        sourceId: a.id,
      };
      const pid = norm(a.principalId);
      if (this.users.has(pid)) {
        add({ ...base, userId: pid, kind, via: "direct", permanent: a.permanent });
        return;
      }
      if (!this.groups.has(pid)) return;
      for (const [userId, path] of this.transitiveUserMembers(pid)) {
        const pim = this.pimMembership(path, userId);
        add({
          ...base,
          userId,
          kind: pim === "pimEligible" ? "eligible" : kind,
          via: "group",
          groupId: pid,
          groupPath: path,
          membership: pim,
          permanent: pim === "static" ? a.permanent : false,
        });
      }
      // PIM for Groups eligible members are not in `members` yet: they hold the role after activation.
      for (const e of s.privilegedAccessGroupEligibilitySchedules ?? []) {
        if (!sameId(e.groupId, pid) || (e.accessId && e.accessId !== "member")) continue;
        const uid = norm(e.principalId);
        if (!this.users.has(uid)) continue;
        add({
          ...base,
          userId: uid,
          kind: "eligible",
          via: "group",
          groupId: pid,
          groupPath: [pid],
          membership: "pimEligible",
          permanent: false,
        });
      }
    };
    for (const a of active) expand(a, "active");
    for (const e of eligible) expand(e, "eligible");
    this.holdingsCache = [...holdings.values()].sort((x, y) =>
      (x.userId + x.roleTemplateId + x.kind).localeCompare(y.userId + y.roleTemplateId + y.kind),
    );
    return this.holdingsCache;
  }

  /** How the last hop of a group path reaches the user: static, or an active PIM-for-Groups schedule. */
  private pimMembership(path: string[], userId: string): "static" | "pimActive" | "pimEligible" {
    const groupId = path[path.length - 1]!;
    const schedules: GroupSchedule[] = this.snapshot.privilegedAccessGroupAssignmentSchedules ?? [];
    const hit = schedules.find(
      (x) =>
        sameId(x.groupId, groupId) &&
        sameId(x.principalId, userId) &&
        (!x.accessId || x.accessId === "member"),
    );
    if (hit && hit.scheduleInfo?.expiration?.type !== "noExpiration") return "pimActive";
    return "static";
  }

  /** Holdings of one user. */
  holdingsOf(userId: string): RoleHolding[] {
    return this.roleHoldings().filter((h) => h.userId === norm(userId));
  }

  /** Users holding a role template (any scope unless given), active and eligible. */
  holdersOf(roleTemplateId: string, scope?: string): RoleHolding[] {
    return this.roleHoldings().filter(
      (h) =>
        h.roleTemplateId === norm(roleTemplateId) && (scope === undefined || h.directoryScopeId === scope),
    );
  }

  /** docs/checks.md "Privileged users": active or eligible holders of a privileged role. */
  privilegedUserIds(): Set<string> {
    return new Set(
      this.roleHoldings()
        .filter((h) => this.isPrivilegedRole(h.roleTemplateId))
        .map((h) => h.userId),
    );
  }

  /** Role template ids the user actively holds now (for Conditional Access `includeRoles`). */
  activeRoleTemplates(userId: string): Set<string> {
    return new Set(
      this.holdingsOf(userId)
        .filter((h) => h.kind === "active")
        .map((h) => h.roleTemplateId),
    );
  }

  eligibleRoleTemplates(userId: string): Set<string> {
    return new Set(
      this.holdingsOf(userId)
        .filter((h) => h.kind === "eligible")
        .map((h) => h.roleTemplateId),
    );
  }
}

/** Licence tier from subscribedSkus; undefined when the SKUs were not read. */
export function licenceTier(snapshot: Snapshot): { p1: boolean; p2: boolean } | undefined {
  if (!snapshot.subscribedSkus || snapshot.unavailable?.["subscribedSkus"]) return undefined;
  const plans = new Set<string>();
  for (const sku of snapshot.subscribedSkus) {
    for (const p of sku.servicePlans ?? []) {
      if (p.servicePlanName) plans.add(p.servicePlanName);
      if (p.servicePlanId) plans.add(p.servicePlanId.toLowerCase());
    }
  }
  const p2 = [...P2_PLANS].some((p) => plans.has(p));
  const p1 = p2 || [...P1_PLANS].some((p) => plans.has(p));
  return { p1, p2 };
}
