import { findById } from "./ids.js";
import type { Snapshot } from "./schema.js";

/**
 * What could not be read, and why (docs/snapshot.md "unavailable"). A path is unavailable when the
 * snapshot lists it, or lists one of its ancestors: `users[<id>].authenticationMethods` is
 * unavailable when that key, `users.authenticationMethods` or `users` is listed. A section that is
 * absent from the snapshot was not collected, which also makes it unavailable.
 */
export function unavailableReason(snapshot: Snapshot, path: string): string | undefined {
  const lowered = loweredEntries(snapshot.unavailable);
  for (const candidate of ancestors(path)) {
    const hit = lowered.get(candidate.toLowerCase());
    if (hit !== undefined) return hit;
  }
  if (!sectionPresent(snapshot, path)) return `${topSection(path)} was not collected`;
  return relationshipGap(snapshot, path);
}

interface LoweredEntries {
  /** the entries as lowered, in order: a later call compares them before using `byPath`. */
  keys: string[];
  reasons: string[];
  byPath: Map<string, string>;
}
const loweredCache = new WeakMap<Record<string, string>, LoweredEntries>();
const NOTHING_UNAVAILABLE = new Map<string, string>();

/**
 * `unavailable` keyed by lower-cased path (paths hold ids, compared case-insensitively), built once
 * per object: checks ask thousands of times per run. Rebuilt when an entry was added, removed,
 * renamed or given another reason since (a comparison per entry, no lower-casing), so the answer is
 * always that of the object as it is now.
 */
function loweredEntries(entries: Record<string, string> | undefined): ReadonlyMap<string, string> {
  if (!entries) return NOTHING_UNAVAILABLE;
  const keys = Object.keys(entries);
  const cached = loweredCache.get(entries);
  if (cached && sameEntries(cached, keys, entries)) return cached.byPath;
  const byPath = new Map<string, string>();
  for (const key of keys) if (!byPath.has(key.toLowerCase())) byPath.set(key.toLowerCase(), entries[key]!);
  loweredCache.set(entries, { keys, reasons: keys.map((key) => entries[key]!), byPath });
  return byPath;
}

function sameEntries(cached: LoweredEntries, keys: string[], entries: Record<string, string>): boolean {
  if (cached.keys.length !== keys.length) return false;
  for (let i = 0; i < keys.length; i++)
    if (cached.keys[i] !== keys[i] || cached.reasons[i] !== entries[keys[i]!]) return false;
  return true;
}

/**
 * Relationships `export` stores inline on every object of their section (docs/snapshot.md): an object
 * without the property was not collected, whatever the rest of the section says.
 */
const ON_EVERY_OBJECT: Record<string, readonly string[]> = {
  groups: ["members", "owners"],
  administrativeUnits: ["members"],
};

/**
 * A relationship missing from the objects that should carry it: `groups.members` when a group has no
 * `members`, `users[<id>].authenticationMethods` when that user has none (export reads such
 * relationships for its subjects and records every failure, so absence means it was never read).
 */
function relationshipGap(snapshot: Snapshot, path: string): string | undefined {
  const perObject = /^(\w+)\[([^\]]+)\]\.(\w+)$/.exec(path);
  if (perObject) {
    const [, section, id, property] = perObject as unknown as [string, string, string, string];
    const objects = (snapshot as Record<string, unknown>)[section];
    if (!Array.isArray(objects)) return undefined;
    const object = findById(objects as Record<string, unknown>[], id);
    if (object && object[property] === undefined) return `${path} was not collected`;
    return undefined;
  }
  const sectionWide = /^(\w+)\.(\w+)$/.exec(path);
  if (sectionWide) {
    const [, section, property] = sectionWide as unknown as [string, string, string];
    if (!ON_EVERY_OBJECT[section]?.includes(property)) return undefined;
    const objects = (snapshot as Record<string, unknown>)[section];
    const missing = Array.isArray(objects) ? objects.filter((o) => o?.[property] === undefined).length : 0;
    if (missing > 0)
      return `${path} was not collected for ${missing} of ${(objects as unknown[]).length} ${section}`;
  }
  return undefined;
}

export function isAvailable(snapshot: Snapshot, path: string): boolean {
  return unavailableReason(snapshot, path) === undefined;
}

/** `users[abc].authenticationMethods` -> [that, `users.authenticationMethods`, `users`]. */
function ancestors(path: string): string[] {
  const out = [path];
  const objectLevel = path.replace(/\[[^\]]*\]/g, "");
  if (objectLevel !== path) out.push(objectLevel);
  const parts = objectLevel.split(".");
  for (let i = parts.length - 1; i > 0; i--) out.push(parts.slice(0, i).join("."));
  return [...new Set(out)];
}

function topSection(path: string): string {
  const [first, second] = path.replace(/\[[^\]]*\]/g, "").split(".");
  return first === "azure" && second ? `azure.${second}` : (first ?? path);
}

function sectionPresent(snapshot: Snapshot, path: string): boolean {
  const [first, second] = path.replace(/\[[^\]]*\]/g, "").split(".");
  if (!first) return false;
  if (first === "azure") {
    if (!snapshot.azure) return false;
    return second ? (snapshot.azure as Record<string, unknown>)[second] !== undefined : true;
  }
  return (snapshot as Record<string, unknown>)[first] !== undefined;
}

/** Paths a relationship of one object lives under: `users[<id>].authenticationMethods`. */
export function objectPath(section: string, id: string, relationship: string): string {
  return `${section}[${id}].${relationship}`;
}
