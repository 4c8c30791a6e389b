/**
 * Which accounts are the emergency accounts:
 *  - `accounts` in the config is authoritative (UPNs or object ids); with `group` too the method is
 *    `config+group` and EA-ROLE-03 compares the two;
 *  - only `group`: its transitive user members (`group`);
 *  - neither: discovery's best candidates (`discovered`), the others listed.
 * The group `breakglass apply` built counts as configured: `names.group.displayName`, once a group
 * of that name exists (before the first apply there is none, and nothing is unresolved).
 * A configured reference that does not resolve is kept in `unresolved`, with the recycle bin's
 * answer (deleted, restorable until deletedDateTime + 30 days) when the account sits there.
 */
import type { Config } from "../config/schema.js";
import { discoverCandidates, selectCandidates, signalText } from "../discover/discover.js";
import { isAvailable } from "../snapshot/availability.js";
import { Directory, norm } from "../snapshot/directory.js";
import type { Snapshot, User } from "../snapshot/schema.js";
import type { AccountResolution, EmergencyAccount } from "./types.js";

/** Deleted users stay restorable for 30 days (Microsoft Entra recycle bin). */
export const RESTORE_WINDOW_DAYS = 30;

const toAccount = (u: User): EmergencyAccount => ({
  id: u.id,
  userPrincipalName: u.userPrincipalName ?? null,
  displayName: u.displayName ?? null,
});

const byUpnThenId = (a: EmergencyAccount, b: EmergencyAccount) =>
  (a.userPrincipalName ?? "").toLowerCase().localeCompare((b.userPrincipalName ?? "").toLowerCase()) ||
  norm(a.id).localeCompare(norm(b.id));

export function resolveAccounts(
  snapshot: Snapshot,
  config: Config,
  directory: Directory = new Directory(snapshot),
): AccountResolution {
  const deployed = config.names?.group?.displayName;
  const groupRef = config.group ?? (deployed && directory.group(deployed) ? deployed : undefined);
  const resolution: AccountResolution = {
    method: config.accounts?.length
      ? groupRef
        ? "config+group"
        : "config"
      : groupRef
        ? "group"
        : "discovered",
    resolved: [],
    unresolved: [],
  };

  if (groupRef) {
    const group = directory.group(groupRef);
    if (group) resolution.group = { id: group.id, displayName: group.displayName ?? null };
    else resolution.unresolvedGroup = groupRef;
  }

  if (config.accounts?.length) {
    const seen = new Set<string>();
    for (const ref of config.accounts) {
      const user = directory.user(ref.trim());
      if (user) {
        if (!seen.has(norm(user.id))) resolution.resolved.push(toAccount(user));
        seen.add(norm(user.id));
      } else {
        resolution.unresolved.push(deletedInfo(snapshot, ref.trim()));
      }
    }
    return resolution;
  }

  if (groupRef) {
    if (resolution.group) {
      resolution.resolved = [...directory.transitiveUserMembers(resolution.group.id).keys()]
        .map((id) => directory.users.get(id))
        .filter((u): u is User => !!u)
        .map(toAccount)
        .sort(byUpnThenId);
    }
    return resolution;
  }

  const candidates = discoverCandidates(snapshot, directory);
  const { selected } = selectCandidates(candidates, config.profile.accountCount.max);
  const chosen = new Set(selected.map((c) => c.id));
  resolution.resolved = selected.map((c) => ({
    id: c.id,
    userPrincipalName: c.userPrincipalName,
    displayName: c.displayName,
  }));
  resolution.candidates = candidates.map((c) => ({
    id: c.id,
    userPrincipalName: c.userPrincipalName,
    displayName: c.displayName,
    score: c.score,
    reasons: c.signals.map(signalText),
    selected: chosen.has(c.id),
  }));
  return resolution;
}

/**
 * The recycle bin's answer for a reference that did not resolve. A deleted user's UPN is prefixed
 * with its id (without dashes) by Entra, so a UPN reference matches the end of the deleted UPN.
 */
function deletedInfo(snapshot: Snapshot, ref: string): AccountResolution["unresolved"][number] {
  if (!isAvailable(snapshot, "deletedUsers")) return { ref };
  const key = ref.toLowerCase();
  const hit = (snapshot.deletedUsers ?? [])
    .filter((d) => norm(d.id) === key || (d.userPrincipalName ?? "").toLowerCase().endsWith(key))
    // The most recent deletion is the one that can still be restored.
    .sort((a, b) => (b.deletedDateTime ?? "").localeCompare(a.deletedDateTime ?? ""))[0];
  if (!hit) return { ref, deleted: false };
  const deletedAt = hit.deletedDateTime ? new Date(hit.deletedDateTime) : undefined;
  const until =
    deletedAt && !Number.isNaN(deletedAt.getTime())
      ? new Date(deletedAt.getTime() + RESTORE_WINDOW_DAYS * 86_400_000).toISOString()
      : undefined;
  return { ref, deleted: true, ...(until ? { restorableUntil: until } : {}), id: hit.id };
}
