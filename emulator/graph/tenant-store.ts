/**
 * The emulator's tenant store: the snapshot, indexed once, that every Graph handler reads.
 *
 * Handlers never touch raw snapshot JSON. They ask a `Collection` for its items in Graph's order or
 * for one item by key, and ask the store for relationships (members, owners, memberOf, methods).
 * Keys are compared case-insensitively (docs/snapshot.md: Graph GUIDs). Write endpoints (POST/PATCH/
 * DELETE) slot in through `Collection.put`/`remove` and the relationship setters, which keep the
 * indexes in step.
 */
import type { Snapshot } from "../../src/snapshot/schema.js";

export type Entity = Record<string, unknown> & { id: string };

const key = (id: string): string => id.toLowerCase();

export class Collection {
  private readonly items: Entity[] = [];
  private readonly byKey = new Map<string, Entity>();

  constructor(
    items: readonly Record<string, unknown>[] | undefined,
    /** extra keys an item can be addressed by (users by userPrincipalName). */
    private readonly altKeys: (e: Entity) => (string | null | undefined)[] = () => [],
  ) {
    for (const it of items ?? []) this.put(structuredClone(it) as Entity);
  }

  list(): readonly Entity[] {
    return this.items;
  }
  get(id: string): Entity | undefined {
    return this.byKey.get(key(id));
  }
  get size(): number {
    return this.items.length;
  }

  /** Insert or replace (by id), keeping list order for replacements. */
  put(e: Entity): void {
    const existing = this.byKey.get(key(e.id));
    if (existing) {
      this.unindex(existing);
      this.items[this.items.indexOf(existing)] = e;
    } else {
      this.items.push(e);
    }
    this.byKey.set(key(e.id), e);
    for (const k of this.altKeys(e)) if (k) this.byKey.set(key(k), e);
  }

  /** Insert a new item before the first one `before` accepts (at the end if none): keeps a log newest first. */
  putBefore(e: Entity, before: (existing: Entity) => boolean): void {
    if (this.byKey.has(key(e.id))) throw new Error(`duplicate id ${e.id}`);
    const at = this.items.findIndex(before);
    this.items.splice(at < 0 ? this.items.length : at, 0, e);
    this.byKey.set(key(e.id), e);
    for (const k of this.altKeys(e)) if (k) this.byKey.set(key(k), e);
  }

  remove(id: string): Entity | undefined {
    const e = this.get(id);
    if (!e) return undefined;
    this.unindex(e);
    this.items.splice(this.items.indexOf(e), 1);
    return e;
  }

  private unindex(e: Entity): void {
    this.byKey.delete(key(e.id));
    for (const k of this.altKeys(e)) if (k) this.byKey.delete(key(k));
  }
}

/** The snapshot's relationship properties, stored inline on objects but served from their own endpoints. */
export const RELATIONSHIP_PROPS: Record<string, readonly string[]> = {
  users: ["authenticationMethods", "perUserMfaState", "ownedObjects", "signInActivity"],
  groups: ["members", "owners"],
  administrativeUnits: ["members"],
};

export type Ref = Record<string, unknown> & { id: string };

export class TenantStore {
  readonly tenant: Snapshot["tenant"];
  readonly users: Collection;
  readonly deletedUsers: Collection;
  readonly riskyUsers: Collection;
  readonly groups: Collection;
  readonly administrativeUnits: Collection;
  readonly roleDefinitions: Collection;
  readonly roleAssignments: Collection;
  readonly roleAssignmentSchedules: Collection;
  readonly roleEligibilitySchedules: Collection;
  readonly roleManagementPolicyAssignments: Collection;
  readonly privilegedAccessGroupAssignmentSchedules: Collection;
  readonly privilegedAccessGroupEligibilitySchedules: Collection;
  readonly conditionalAccessPolicies: Collection;
  readonly namedLocations: Collection;
  readonly authenticationStrengthPolicies: Collection;
  readonly accessReviewDefinitions: Collection;
  readonly lifecycleWorkflows: Collection;
  readonly signIns: Collection;
  readonly directoryAudits: Collection;
  readonly organization: Collection;
  readonly subscribedSkus: Collection;
  readonly domains: Collection;
  authenticationMethodsPolicy: Record<string, unknown> | undefined;
  authorizationPolicy: Record<string, unknown> | undefined;
  securityDefaults: Record<string, unknown> | undefined;

  /** reverse membership index: member id → group ids / AU ids that list it directly. */
  private memberOfGroups = new Map<string, Set<string>>();
  private memberOfAUs = new Map<string, Set<string>>();

  /** the whole tenant, for computations over all of it (What If evaluates every policy for one sign-in). */
  readonly snapshot: Snapshot;

  constructor(snapshot: Snapshot) {
    this.snapshot = snapshot;
    this.tenant = snapshot.tenant;
    this.users = new Collection(snapshot.users, (u) => [u.userPrincipalName as string | undefined]);
    this.deletedUsers = new Collection(snapshot.deletedUsers);
    this.riskyUsers = new Collection(snapshot.riskyUsers);
    this.groups = new Collection(snapshot.groups);
    this.administrativeUnits = new Collection(snapshot.administrativeUnits);
    this.roleDefinitions = new Collection(snapshot.roleDefinitions);
    this.roleAssignments = new Collection(snapshot.roleAssignments);
    this.roleAssignmentSchedules = new Collection(snapshot.roleAssignmentSchedules);
    this.roleEligibilitySchedules = new Collection(snapshot.roleEligibilitySchedules);
    this.roleManagementPolicyAssignments = new Collection(snapshot.roleManagementPolicyAssignments);
    this.privilegedAccessGroupAssignmentSchedules = new Collection(
      snapshot.privilegedAccessGroupAssignmentSchedules,
    );
    this.privilegedAccessGroupEligibilitySchedules = new Collection(
      snapshot.privilegedAccessGroupEligibilitySchedules,
    );
    this.conditionalAccessPolicies = new Collection(snapshot.conditionalAccessPolicies);
    this.namedLocations = new Collection(snapshot.namedLocations);
    this.authenticationStrengthPolicies = new Collection(snapshot.authenticationStrengthPolicies);
    this.accessReviewDefinitions = new Collection(snapshot.accessReviewDefinitions);
    this.lifecycleWorkflows = new Collection(snapshot.lifecycleWorkflows);
    // Graph serves sign-ins and audits newest first; sort once here so paging is stable.
    this.signIns = new Collection(sortDesc(snapshot.signIns, "createdDateTime"));
    this.directoryAudits = new Collection(sortDesc(snapshot.directoryAudits, "activityDateTime"));
    // organization is keyed by tenant id; domains by FQDN (their id)
    this.organization = new Collection(snapshot.organization as Entity[] | undefined);
    // subscribedSkus ids are "{tenantId}_{skuId}"; an entry without id gets one so it can be keyed
    this.subscribedSkus = new Collection(
      (snapshot.subscribedSkus ?? []).map((s) => ({
        ...s,
        id: (s as { id?: string }).id ?? `${snapshot.tenant.id}_${s.skuId ?? ""}`,
      })),
    );
    this.domains = new Collection(snapshot.domains);
    this.authenticationMethodsPolicy = snapshot.authenticationMethodsPolicy
      ? structuredClone(snapshot.authenticationMethodsPolicy)
      : undefined;
    this.authorizationPolicy = snapshot.authorizationPolicy
      ? structuredClone(snapshot.authorizationPolicy)
      : undefined;
    this.securityDefaults = snapshot.securityDefaults
      ? structuredClone(snapshot.securityDefaults)
      : undefined;
    this.reindexMembership();
  }

  /**
   * Bumped by every write, so caches derived from the store (known user properties) refresh.
   * Write endpoints call `touch()` after changing a collection.
   */
  version = 0;
  touch(): void {
    this.version++;
    this.reindexMembership();
  }

  /** Rebuild the reverse membership index (after a write to members). */
  reindexMembership(): void {
    this.memberOfGroups = new Map();
    this.memberOfAUs = new Map();
    for (const g of this.groups.list()) {
      for (const m of refs(g.members)) addTo(this.memberOfGroups, key(m.id), g.id);
    }
    for (const au of this.administrativeUnits.list()) {
      for (const m of refs(au.members)) addTo(this.memberOfAUs, key(m.id), au.id);
    }
  }

  /** A directory object by id, with its @odata.type, for member lists and `$expand=principal`. */
  directoryObject(id: string): { type: string; entity: Entity } | undefined {
    const u = this.users.get(id);
    if (u && key(u.id) === key(id)) return { type: "#microsoft.graph.user", entity: u };
    const g = this.groups.get(id);
    if (g) return { type: "#microsoft.graph.group", entity: g };
    const au = this.administrativeUnits.get(id);
    if (au) return { type: "#microsoft.graph.administrativeUnit", entity: au };
    return undefined;
  }

  authenticationMethods(user: Entity): Ref[] {
    return refs(user.authenticationMethods);
  }
  ownedObjects(user: Entity): Ref[] {
    return refs(user.ownedObjects);
  }
  members(container: Entity): Ref[] {
    return refs(container.members);
  }
  owners(group: Entity): Ref[] {
    return refs(group.owners);
  }

  /** Groups and AUs that list the object directly (user/group memberOf). */
  memberOf(id: string): Ref[] {
    const out: Ref[] = [];
    for (const gid of this.memberOfGroups.get(key(id)) ?? []) {
      out.push({ "@odata.type": "#microsoft.graph.group", id: gid });
    }
    for (const aid of this.memberOfAUs.get(key(id)) ?? []) {
      out.push({ "@odata.type": "#microsoft.graph.administrativeUnit", id: aid });
    }
    return out;
  }

  /** Groups the object is in directly or through nested groups, plus its direct AUs (Graph's transitiveMemberOf). */
  transitiveMemberOf(id: string): Ref[] {
    const seen = new Set<string>();
    const out: Ref[] = [];
    const queue = [key(id)];
    while (queue.length) {
      const cur = queue.shift()!;
      for (const gid of this.memberOfGroups.get(cur) ?? []) {
        if (seen.has(key(gid))) continue;
        seen.add(key(gid));
        out.push({ "@odata.type": "#microsoft.graph.group", id: gid });
        queue.push(key(gid));
      }
    }
    for (const aid of this.memberOfAUs.get(key(id)) ?? []) {
      out.push({ "@odata.type": "#microsoft.graph.administrativeUnit", id: aid });
    }
    return out;
  }

  /** Members of a group and of its nested groups (the nested groups included), without repeats. */
  transitiveMembers(group: Entity): Ref[] {
    const seen = new Set<string>([key(group.id)]);
    const out: Ref[] = [];
    const stack = [group];
    while (stack.length) {
      const g = stack.pop()!;
      for (const m of refs(g.members)) {
        if (seen.has(key(m.id))) continue;
        seen.add(key(m.id));
        out.push(m);
        const nested = this.groups.get(m.id);
        if (nested) stack.push(nested);
      }
    }
    return out;
  }
}

function refs(v: unknown): Ref[] {
  return Array.isArray(v)
    ? (v.filter((x) => x && typeof x === "object" && typeof x.id === "string") as Ref[])
    : [];
}

function addTo(m: Map<string, Set<string>>, k: string, v: string): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

function sortDesc<T extends Record<string, unknown>>(items: T[] | undefined, prop: string): T[] | undefined {
  if (!items) return undefined;
  const t = (x: T): number => {
    const v = Date.parse(String(x[prop] ?? ""));
    return Number.isNaN(v) ? -Infinity : v;
  };
  // stable sort keeps snapshot order among equal timestamps
  return [...items].sort((a, b) => t(b) - t(a));
}
