/**
 * Snapshot equality for the export tests: after dropping `@odata.*` annotations and
 * `tenant.capturedAt`, every property of every object of the expected snapshot appears identically
 * in the actual one, and the actual one holds no object the expected one lacks. Arrays are compared
 * order-insensitively: objects with an `id` are matched by id (case-insensitive), other elements by
 * deep equality. Extra properties on a matched object are allowed (Graph returns properties a
 * sample may leave out, e.g. `null` for an unset selected property); extra objects are not.
 */

export interface Difference {
  path: string;
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

export function dropAnnotations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropAnnotations);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    // `@odata.type` on objects and `prop@odata.context` property annotations alike.
    if (!k.startsWith("@odata.") && !k.includes("@odata.")) out[k] = dropAnnotations(v);
  return out;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? "undefined" : s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** Does `actual` contain `expected` (sample ⊆ export for objects, set-equality for arrays)? */
function compare(expected: unknown, actual: unknown, path: string, out: Difference[], limit: number): void {
  if (out.length >= limit) return;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      out.push({ path, message: `expected an array, got ${show(actual)}` });
      return;
    }
    compareArrays(expected, actual, path, out, limit);
    return;
  }
  if (isObject(expected)) {
    if (!isObject(actual)) {
      out.push({ path, message: `expected an object, got ${show(actual)}` });
      return;
    }
    for (const [k, v] of Object.entries(expected)) {
      if (!(k in actual)) {
        out.push({ path: `${path}.${k}`, message: `missing (expected ${show(v)})` });
        if (out.length >= limit) return;
        continue;
      }
      // Ids are compared case-insensitively (docs/snapshot.md).
      if (
        k === "id" &&
        typeof v === "string" &&
        typeof actual[k] === "string" &&
        v.toLowerCase() === (actual[k] as string).toLowerCase()
      )
        continue;
      compare(v, actual[k], `${path}.${k}`, out, limit);
    }
    return;
  }
  if (expected !== actual) out.push({ path, message: `expected ${show(expected)}, got ${show(actual)}` });
}

const idOf = (v: unknown): string | undefined =>
  isObject(v) && typeof v.id === "string" ? v.id.toLowerCase() : undefined;

function compareArrays(
  expected: unknown[],
  actual: unknown[],
  path: string,
  out: Difference[],
  limit: number,
) {
  const byId = new Map<string, unknown>();
  const rest: unknown[] = [];
  for (const a of actual) {
    const id = idOf(a);
    if (id !== undefined && !byId.has(id)) byId.set(id, a);
    else rest.push(a);
  }
  const used = new Set<string>();
  for (const e of expected) {
    const id = idOf(e);
    if (id !== undefined && byId.has(id)) {
      used.add(id);
      compare(e, byId.get(id), `${path}[${id}]`, out, limit);
      continue;
    }
    // No id: the first unused element that contains it.
    const i = rest.findIndex((a) => {
      const probe: Difference[] = [];
      compare(e, a, path, probe, 1);
      return probe.length === 0;
    });
    if (i >= 0) rest.splice(i, 1);
    else out.push({ path: `${path}${id ? `[${id}]` : ""}`, message: `missing element ${show(e)}` });
    if (out.length >= limit) return;
  }
  for (const [id, a] of byId) {
    if (!used.has(id)) out.push({ path: `${path}[${id}]`, message: `unexpected element ${show(a)}` });
    if (out.length >= limit) return;
  }
  for (const a of rest) {
    if (out.length >= limit) return;
    out.push({ path, message: `unexpected element ${show(a)}` });
  }
}

/** Differences between an expected sample and an export (first `limit`), by path. */
export function snapshotDifferences(expected: unknown, actual: unknown, limit = 20): Difference[] {
  const e = dropAnnotations(expected) as Record<string, any>;
  const a = dropAnnotations(actual) as Record<string, any>;
  const strip = (s: Record<string, any>) => {
    const copy = { ...s, tenant: { ...s.tenant } };
    delete copy.tenant.capturedAt;
    delete copy.unavailable;
    return copy;
  };
  const out: Difference[] = [];
  const se = strip(e);
  const sa = strip(a);
  compare(se, sa, "$", out, limit);
  // The export holds no section the sample lacks (the other direction of "no extra objects").
  for (const k of Object.keys(sa)) {
    if (out.length >= limit) break;
    if (!(k in se) && Array.isArray(sa[k]) && sa[k].length)
      out.push({ path: `$.${k}`, message: `unexpected section with ${sa[k].length} objects` });
  }
  if (isObjectish(sa.azure) && isObjectish(se.azure))
    for (const k of Object.keys(sa.azure)) {
      if (out.length >= limit) break;
      if (!(k in se.azure) && Array.isArray(sa.azure[k]) && sa.azure[k].length)
        out.push({ path: `$.azure.${k}`, message: `unexpected section with ${sa.azure[k].length} objects` });
    }
  return out;
}

const isObjectish = (v: unknown): v is Record<string, any> => isObject(v);

export function formatDifferences(diffs: Difference[]): string {
  return diffs.map((d) => `${d.path}: ${d.message}`).join("\n");
}
