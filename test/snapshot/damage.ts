/**
 * Structural damage to a snapshot document, as fast-check arbitraries: a key removed, a value nulled
 * or of the wrong type, an id duplicated inside its list. Never a whole element of a list deleted: a
 * missing object is a different tenant, not a broken one.
 */
import fc from "fast-check";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

export type Damage =
  | { kind: "remove"; path: Path }
  | { kind: "null"; path: Path }
  | { kind: "retype"; path: Path; value: Json }
  | { kind: "duplicateId"; list: Path; from: number; to: number; upper: boolean };

/** Every key path of the document (object properties only: list elements are never removed). */
export function keyPaths(doc: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(doc)) doc.forEach((item, i) => keyPaths(item, [...prefix, i], out));
  else if (doc !== null && typeof doc === "object") {
    for (const [key, value] of Object.entries(doc)) {
      out.push([...prefix, key]);
      keyPaths(value, [...prefix, key], out);
    }
  }
  return out;
}

/** Every list of at least two objects that carry a string `id`. */
export function idLists(doc: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(doc)) {
    if (doc.filter((x) => typeof (x as { id?: unknown } | null)?.id === "string").length >= 2)
      out.push(prefix);
    doc.forEach((item, i) => idLists(item, [...prefix, i], out));
  } else if (doc !== null && typeof doc === "object") {
    for (const [key, value] of Object.entries(doc)) idLists(value, [...prefix, key], out);
  }
  return out;
}

const at = (doc: Json, path: Path): any => path.reduce((cur: any, key) => cur?.[key], doc);

/** A value of another JSON type than `value`. */
function otherType(value: Json, pick: number): Json {
  const candidates: Json[] = [42, "text", true, [], {}, [1, "x"], { id: 7 }];
  const kind = (v: Json) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
  const others = candidates.filter((c) => kind(c) !== kind(value));
  return others[pick % others.length]!;
}

/**
 * Damage arbitrary for one document (its paths are listed once). With `focus`, half of the damage
 * lands on the paths it selects (the objects a test cares about in a large document), half anywhere.
 */
export function damageOf(doc: Json, focus?: (path: Path) => boolean): fc.Arbitrary<Damage> {
  const paths = keyPaths(doc).filter((p) => p[0] !== "schema");
  const lists = idLists(doc);
  const focused = focus ? paths.filter(focus) : [];
  const path = focused.length
    ? fc.oneof(fc.constantFrom(...focused), fc.constantFrom(...paths))
    : fc.constantFrom(...paths);
  // Weighted so that most damaged copies still load (a wrong type in a typed field, and a repeated
  // id, are refused by the loader; removals and nulls mostly are not).
  const arbitraries: Array<fc.WeightedArbitrary<Damage>> = [
    { weight: 3, arbitrary: path.map((p) => ({ kind: "remove", path: p }) as Damage) },
    { weight: 3, arbitrary: path.map((p) => ({ kind: "null", path: p }) as Damage) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(path, fc.nat())
        .map(([p, n]) => ({ kind: "retype", path: p, value: otherType(at(doc, p), n) }) as Damage),
    },
  ];
  if (lists.length)
    arbitraries.push({
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...lists), fc.nat(), fc.nat(), fc.boolean())
        .map(([list, a, b, upper]) => {
          const n = (at(doc, list) as Json[]).length;
          const from = a % n;
          const to = (from + 1 + (b % (n - 1))) % n;
          return { kind: "duplicateId", list, from, to, upper } as Damage;
        }),
    });
  return fc.oneof(...arbitraries);
}

/** The document and everything in it frozen: what a test damages copies of, and must never change. */
export function deepFreeze<T extends Json>(doc: T): T {
  if (doc !== null && typeof doc === "object" && !Object.isFrozen(doc)) {
    for (const value of Object.values(doc)) deepFreeze(value);
    Object.freeze(doc);
  }
  return doc;
}

const shallowCopy = (v: Json): Json =>
  Array.isArray(v) ? [...v] : v !== null && typeof v === "object" ? { ...v } : v;

/**
 * A copy of the document whose lists and objects along `path` (the one it ends at included) are
 * fresh, and whose other parts are the document's own: a damage changes only that last container.
 * Cheaper than a deep copy of a large document for each of hundreds of runs; the document is frozen
 * by the tests (`deepFreeze`), so a reader that changed a shared part would throw, not pass.
 */
function copyAlong(doc: Json, path: Path): { copy: Json; last: any } {
  const copy = shallowCopy(doc);
  let cur: any = copy;
  for (const key of path) {
    const next = cur[key];
    if (next === null || typeof next !== "object") throw new Error(`no list or object at ${path.join(".")}`);
    cur = cur[key] = shallowCopy(next);
  }
  return { copy, last: cur };
}

/** A damaged copy of the document (the document itself is left as it is). */
export function applyDamage<T extends Json>(doc: T, damage: Damage): T {
  if (damage.kind === "duplicateId") {
    const list = at(doc, damage.list) as Array<{ id?: unknown }>;
    const id = list[damage.from]?.id;
    const target = list[damage.to];
    if (!(typeof id === "string" && target && typeof target === "object")) return shallowCopy(doc) as T;
    const { copy, last } = copyAlong(doc, [...damage.list, damage.to]);
    last.id = damage.upper ? id.toUpperCase() : id;
    return copy as T;
  }
  const { copy, last: parent } = copyAlong(doc, damage.path.slice(0, -1));
  const key = damage.path.at(-1)!;
  if (damage.kind === "remove") delete parent[key];
  else parent[key] = damage.kind === "null" ? null : damage.value;
  return copy as T;
}

export const describeDamage = (d: Damage): string =>
  d.kind === "duplicateId"
    ? `${d.list.join(".")}[${d.to}].id := ${d.list.join(".")}[${d.from}].id${d.upper ? " (upper case)" : ""}`
    : `${d.kind} ${d.path.join(".")}${d.kind === "retype" ? ` := ${JSON.stringify(d.value)}` : ""}`;
