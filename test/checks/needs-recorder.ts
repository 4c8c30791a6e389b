/**
 * Records what a check reads from its context: the snapshot sections and the relationships stored on
 * objects (docs/snapshot.md: group and administrative-unit members and owners, a user's methods, per-user
 * MFA state and owned objects), through a Proxy over the snapshot and one over the directory's
 * accessors. Reads that only ask whether a path is available (availability.ts) or what licence the
 * tenant has (the licence gate) are made on the unwrapped snapshot by the test's mocks, so they do
 * not count: a gate skips only on proof, and availability is what `needs` are checked with.
 */
import type { CheckContext } from "../../src/checks/types.js";
import type { Directory } from "../../src/snapshot/directory.js";
import type { Snapshot } from "../../src/snapshot/schema.js";

/** The relationships each section stores on its objects. */
export const RELATIONSHIPS: Readonly<Record<string, readonly string[]>> = {
  users: ["authenticationMethods", "perUserMfaState", "ownedObjects"],
  groups: ["members", "owners"],
  administrativeUnits: ["members"],
};

/** Top-level keys that are not tenant data. */
export const NOT_SECTIONS = new Set(["schema", "tenant", "unavailable"]);

const targets = new WeakMap<object, object>();

/** The object behind a recording proxy (or the object itself). */
export const unwrap = <T>(value: T): T =>
  value && typeof value === "object" ? ((targets.get(value) as T) ?? value) : value;

export interface Recorder {
  reads: Set<string>;
  paused: boolean;
}

/** Directory accessors and the snapshot paths their answers come from. */
const DIRECTORY_READS: Record<string, readonly string[]> = {
  user: ["users"],
  users: ["users"],
  usersByUpn: ["users"],
  group: ["groups"],
  groups: ["groups"],
  transitiveGroupsOf: ["groups", "groups.members"],
  directGroupsOfObject: ["groups", "groups.members"],
  transitiveUserMembers: ["groups", "groups.members", "users"],
  // Built-in definitions use their template id as id, so only the privileged flag of a (custom)
  // definition needs roleDefinitions; role holdings read the assignment sections themselves.
  isPrivilegedRole: ["roleDefinitions"],
  privilegedUserIds: ["groups", "groups.members", "roleDefinitions"],
  roleHoldings: ["groups", "groups.members"],
  holdingsOf: ["groups", "groups.members"],
  holdersOf: ["groups", "groups.members"],
  activeRoleTemplates: ["groups", "groups.members"],
  eligibleRoleTemplates: ["groups", "groups.members"],
};

function wrap(
  rec: Recorder,
  value: unknown,
  section: string | undefined,
  cache: WeakMap<object, object>,
): unknown {
  if (!value || typeof value !== "object") return value;
  const hit = cache.get(value);
  if (hit) return hit;
  const proxy = new Proxy(value, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key !== "string") return v;
      if (section === undefined) {
        // the snapshot itself: a section, or azure's sub-sections
        if (NOT_SECTIONS.has(key)) return v;
        if (!rec.paused && key !== "azure") rec.reads.add(key);
        return wrap(rec, v, key, cache);
      }
      if (section === "azure") {
        if (!rec.paused && Object.hasOwn(target, key)) rec.reads.add(`azure.${key}`);
        return wrap(rec, v, `azure.${key}`, cache);
      }
      const rel = RELATIONSHIPS[section];
      if (rel?.includes(key) && !Array.isArray(target)) {
        const id = (target as { id?: unknown }).id;
        if (!rec.paused) rec.reads.add(`${section}[${String(id)}].${key}`);
        return wrap(rec, v, `${section}.${key}`, cache);
      }
      return wrap(rec, v, section, cache);
    },
  });
  cache.set(value, proxy);
  targets.set(proxy, value);
  return proxy;
}

/**
 * A check context whose snapshot and directory record reads into `rec`. Built with recording paused
 * (building the directory and resolving the accounts are not the check's reads).
 */
export function recordingContext(
  build: (snapshot: Snapshot) => CheckContext,
  snapshot: Snapshot,
  rec: Recorder,
): CheckContext {
  rec.paused = true;
  const proxied = wrap(rec, snapshot, undefined, new WeakMap()) as Snapshot;
  const ctx = build(proxied);
  const directory = new Proxy(ctx.directory, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key === "string" && !rec.paused)
        for (const p of DIRECTORY_READS[key] ?? []) rec.reads.add(p);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }) as Directory;
  rec.paused = false;
  return { ...ctx, directory };
}

/** Whether a read is covered by a need: the same path, a relationship's section-wide form, or a section's ancestor. */
export function covers(need: string, read: string): boolean {
  const lower = (s: string) => s.toLowerCase();
  if (lower(need) === lower(read)) return true;
  const relationship = /^(\w+)\[[^\]]*\]\.(\w+)$/.exec(read);
  if (relationship) return lower(need) === lower(`${relationship[1]}.${relationship[2]}`);
  // azure.tables is covered by azure
  return read.startsWith(`${need}.`) && !/\./.test(need);
}
