/**
 * The snapshot's ids: one case-insensitive index per list (a section such as `users`, or a
 * relationship such as one group's `members`), built once and shared by the loader (which refuses
 * duplicates), availability and the directory. Entra ids are GUIDs compared case-insensitively, so
 * `ABC` and `abc` are the same object: two copies of one object would let the verdict depend on
 * which copy a reader meets first.
 */
import { AZURE_SECTIONS, GRAPH_LIST_SECTIONS, type Snapshot } from "./schema.js";

type Keyed = Record<string, unknown>;

interface Built<T> {
  byId: Map<string, T>;
  /** where each indexed object sits in the list, to notice an object replaced in place. */
  position: Map<string, number>;
  /** the list and its ids as indexed: a full check compares them element by element. */
  objects: readonly T[];
  ids: readonly unknown[];
}

/** The index of every list (and key), keyed by the array itself. */
const built = new WeakMap<readonly unknown[], Map<string, Built<unknown>>>();

const lower = (id: string): string => id.toLowerCase();
const keyOf = (object: unknown, key: string): unknown => (object as Keyed | null)?.[key];

/**
 * The objects of a list by lower-cased `key` (default `id`). The first object with an id wins (the
 * loader refuses duplicates; this only matters for snapshots built in memory). Built on first use and
 * shared by every later caller; checked against the list first (a pointer comparison per element,
 * far cheaper than hashing), so a list that changed since, in place or not, is indexed afresh.
 */
export function idIndex<T>(objects: readonly T[], key = "id"): ReadonlyMap<string, T> {
  const cached = cachedIndex(objects, key);
  if (cached && sameList(cached, objects, key)) return cached.byId;
  return buildIndex(objects, key).byId;
}

/**
 * One object of a list by id, case-insensitively, in constant time: the thousands of availability
 * questions of a run cannot each scan the list. A hit no longer where it was indexed, or whose id
 * changed, and a list whose length changed, are indexed afresh. A miss is only believed when the list
 * is still the one indexed (a pointer and id comparison per element): an object replaced in place by
 * one with another id, or whose id changed in place, is found as a first lookup would find it.
 */
export function findById<T>(objects: readonly T[], id: string, key = "id"): T | undefined {
  const wanted = lower(id);
  let index = cachedIndex(objects, key);
  if (!index || index.objects.length !== objects.length) index = buildIndex(objects, key);
  const hit = index.byId.get(wanted);
  if (hit === undefined)
    return sameList(index, objects, key) ? undefined : buildIndex(objects, key).byId.get(wanted);
  const hitId = keyOf(hit, key);
  if (objects[index.position.get(wanted)!] === hit && typeof hitId === "string" && lower(hitId) === wanted)
    return hit;
  return buildIndex(objects, key).byId.get(wanted);
}

function cachedIndex<T>(objects: readonly T[], key: string): Built<T> | undefined {
  return built.get(objects)?.get(key) as Built<T> | undefined;
}

function sameList<T>(index: Built<T>, objects: readonly T[], key: string): boolean {
  if (index.objects.length !== objects.length) return false;
  for (let i = 0; i < objects.length; i++) {
    if (index.objects[i] !== objects[i] || index.ids[i] !== keyOf(objects[i], key)) return false;
  }
  return true;
}

function buildIndex<T>(objects: readonly T[], key: string): Built<T> {
  const ids = objects.map((object) => keyOf(object, key));
  const index: Built<T> = { byId: new Map(), position: new Map(), objects: objects.slice(), ids };
  for (let i = 0; i < objects.length; i++) {
    const id = ids[i];
    if (typeof id !== "string") continue;
    const wanted = lower(id);
    if (index.byId.has(wanted)) continue;
    index.byId.set(wanted, objects[i]!);
    index.position.set(wanted, i);
  }
  let byKey = built.get(objects);
  if (!byKey) built.set(objects, (byKey = new Map()));
  byKey.set(key, index as Built<unknown>);
  return index;
}

/** One id that appears twice in a list: where the list is, the id, and the two positions. */
export interface DuplicateId {
  /** the list: `users`, `azure.subscriptions`, `groups[3].members`. */
  list: string;
  id: string;
  first: number;
  second: number;
}

/** Sections that are lists of objects with an `id` each: every Graph list but the two without one. */
const ID_SECTIONS = GRAPH_LIST_SECTIONS.filter((s) => s !== "organization" && s !== "subscribedSkus");

/** Relationships stored inline on the objects of a section, each a list of objects with an `id`. */
const ID_RELATIONSHIPS: Record<string, readonly string[]> = {
  users: ["authenticationMethods", "ownedObjects"],
  groups: ["members", "owners"],
  administrativeUnits: ["members"],
};

/** Azure sections: subscriptions by `subscriptionId`, ARM resources by their resource `id`. */
const azureKey = (section: string): string => (section === "subscriptions" ? "subscriptionId" : "id");

/**
 * The first id that appears twice in each section and in each object's relationships. Builds (and
 * so caches) the index of every section on the way, so later lookups cost nothing more.
 */
export function duplicateIds(snapshot: Snapshot): DuplicateId[] {
  const out: DuplicateId[] = [];
  const root = snapshot as unknown as Keyed;
  for (const section of ID_SECTIONS) {
    const objects = root[section];
    if (!Array.isArray(objects)) continue;
    const duplicate = firstDuplicate(objects, "id", section, true);
    if (duplicate) out.push(duplicate);
    const relationships = ID_RELATIONSHIPS[section] ?? [];
    objects.forEach((object: Keyed, index) => {
      for (const relationship of relationships) {
        const related = object?.[relationship];
        if (!Array.isArray(related)) continue;
        const dup = firstDuplicate(related, "id", `${section}[${index}].${relationship}`);
        if (dup) out.push(dup);
      }
    });
  }
  const azure = root["azure"] as Keyed | undefined;
  for (const section of AZURE_SECTIONS) {
    const key = azureKey(section);
    const objects = azure?.[section];
    if (!Array.isArray(objects)) continue;
    const duplicate = firstDuplicate(objects, key, `azure.${section}`, true);
    if (duplicate) out.push(duplicate);
  }
  return out;
}

/**
 * The first repeated id of a list, if any. Sections are indexed on the way (the index is shared
 * afterwards); relationships, never looked up by id, are only scanned.
 */
function firstDuplicate(
  objects: readonly unknown[],
  key: string,
  list: string,
  index = false,
): DuplicateId | undefined {
  if (objects.length < 2) return undefined;
  if (index) {
    // Every object with an id is in the index unless another object already holds its id.
    let withId = 0;
    for (const object of objects) if (typeof keyOf(object, key) === "string") withId++;
    if (withId === idIndex(objects, key).size) return undefined;
  }
  // One map for every scan: a tenant has one relationship list per group, most of them short.
  const position = scratch;
  position.clear();
  for (let i = 0; i < objects.length; i++) {
    const id = keyOf(objects[i], key);
    if (typeof id !== "string") continue;
    const wanted = lower(id);
    const first = position.get(wanted);
    if (first !== undefined) return { list, id, first, second: i };
    position.set(wanted, i);
  }
  return undefined;
}

const scratch = new Map<string, number>();
