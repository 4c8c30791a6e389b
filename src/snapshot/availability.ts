import type { Snapshot } from "./schema.js";

/**
 * What could not be read, and why (snapshot.md "unavailable"). A path is unavailable when the
 * snapshot lists it, or lists one of its ancestors: `users[<id>].authenticationMethods` is
 * unavailable when that key, `users.authenticationMethods` or `users` is listed. A section that is
 * absent from the snapshot was not collected, which also makes it unavailable.
 */
export function unavailableReason(snapshot: Snapshot, path: string): string | undefined {
  const entries = snapshot.unavailable ?? {};
  const lowered = new Map(Object.entries(entries).map(([k, v]) => [k.toLowerCase(), v]));
  for (const candidate of ancestors(path)) {
    const hit = lowered.get(candidate.toLowerCase());
    if (hit !== undefined) return hit;
  }
  if (!sectionPresent(snapshot, path)) return `${topSection(path)} was not collected`;
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
