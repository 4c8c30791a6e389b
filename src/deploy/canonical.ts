/**
 * Canonical JSON (object keys sorted, no whitespace) and its sha256: what fingerprints, the config
 * hash and the plan id are computed from, so equal data always hashes equal whatever the key order.
 */
import { createHash } from "node:crypto";

export function canonicalJson(value: unknown): string {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object")
      return Object.fromEntries(
        Object.keys(v)
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .sort()
          .map((k) => [k, walk((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return JSON.stringify(walk(value ?? null));
}

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

export const hashOf = (value: unknown): string => sha256(canonicalJson(value));
