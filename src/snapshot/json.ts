/**
 * Reading JSON that no schema types: a policy file or a What If body as sent, a property the snapshot
 * schema leaves unknown, a malformed policy the engine still looks into. Where the value is not what
 * is asked for, the helpers answer undefined, as optional chaining on the raw JSON would, but typed.
 */
export type JsonObject = Record<string, unknown>;

/** An object: not null and not a list. */
export const isJsonObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** `v` when it is an object, else undefined. */
export const asObject = (v: unknown): JsonObject | undefined => (isJsonObject(v) ? v : undefined);

/** `v?.[key]` for a value of unknown shape. */
export const prop = (v: unknown, key: string): unknown => (isJsonObject(v) ? v[key] : undefined);

/** A list of strings only. */
export const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === "string");
