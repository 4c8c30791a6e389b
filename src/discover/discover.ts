/**
 * Discovery: when the config names neither accounts nor a group, rank the users that look like
 * emergency accounts (docs/checks.md "Which accounts"). The signals are deliberately *not* what the checks
 * grade (an account is not picked because it is cloud-only or has FIDO2 keys), so a badly built
 * emergency account is still found and then graded, instead of vanishing from the report.
 *
 * Signals and weights (a candidate's score is the sum):
 *   30  its id or UPN appears in an alert-rule query (Azure Monitor or Sentinel)
 *   10  per Conditional Access policy (any state) that excludes it or a group holding it, at most 40
 *   25  holds Global Administrator active and permanent (15 when permanence could not be read)
 *   20  a group holding it is named or described as emergency / break glass
 *   10  no licence assigned
 *    5  no manager (only when the snapshot carries `manager`; never assumed)
 *    5  no mailbox (`mail` empty)
 * `assess` takes candidates scoring at least DISCOVERY_THRESHOLD, at most `accountCount.max`.
 * The threshold is above what an ordinary unlicensed cloud admin with a permanent role scores (45),
 * so at least one exclusion or alert, or an emergency-named group, is needed.
 */
import { alertQueries } from "../collect/subjects.js";
import { Directory, GLOBAL_ADMINISTRATOR, licenceTier, norm } from "../snapshot/directory.js";
import type { Snapshot, User } from "../snapshot/schema.js";
import { emergencyWordIn } from "./keywords.js";

export const DISCOVERY_THRESHOLD = 50;

export const DISCOVERY_WEIGHTS = {
  alertQuery: 30,
  caExclusionPerPolicy: 10,
  caExclusionMax: 40,
  permanentGlobalAdmin: 25,
  activeGlobalAdminPermanenceUnknown: 15,
  emergencyGroupName: 20,
  noLicence: 10,
  noManager: 5,
  noMailbox: 5,
} as const;

export interface DiscoverySignal {
  signal: keyof typeof DISCOVERY_WEIGHTS;
  weight: number;
  reason: string;
}

export interface DiscoveryCandidate {
  id: string;
  userPrincipalName: string | null;
  displayName: string | null;
  score: number;
  signals: DiscoverySignal[];
}

export function discoverCandidates(
  snapshot: Snapshot,
  directory = new Directory(snapshot),
): DiscoveryCandidate[] {
  const queries = alertQueries(snapshot).map((q) => q.toLowerCase());
  const policies = snapshot.conditionalAccessPolicies ?? [];
  const p2 = licenceTier(snapshot)?.p2;
  const out: DiscoveryCandidate[] = [];

  for (const user of directory.users.values()) {
    const signals: DiscoverySignal[] = [];
    const add = (
      signal: keyof typeof DISCOVERY_WEIGHTS,
      reason: string,
      weight: number = DISCOVERY_WEIGHTS[signal],
    ) => signals.push({ signal, weight, reason });
    const groups = directory.transitiveGroupsOf(user.id);

    const keys = [user.id, user.userPrincipalName]
      .filter((k): k is string => !!k)
      .map((k) => k.toLowerCase());
    const named = queries.filter((q) => keys.some((k) => q.includes(k))).length;
    if (named > 0) add("alertQuery", `named in ${named} alert rule ${named === 1 ? "query" : "queries"}`);

    const excluding = policies
      .filter((p) => {
        const u = p.conditions?.users;
        return (
          (u?.excludeUsers ?? []).some((id) => norm(id) === norm(user.id)) ||
          (u?.excludeGroups ?? []).some((gid) => groups.has(norm(gid)))
        );
      })
      .map((p) => p.displayName ?? p.id)
      .sort();
    if (excluding.length > 0) {
      const weight = Math.min(
        DISCOVERY_WEIGHTS.caExclusionMax,
        excluding.length * DISCOVERY_WEIGHTS.caExclusionPerPolicy,
      );
      add(
        "caExclusionPerPolicy",
        `excluded from ${excluding.length} of ${policies.length} Conditional Access policies (${excluding.join(", ")})`,
        weight,
      );
    }

    const ga = directory
      .holdingsOf(user.id)
      .filter(
        (h) => h.roleTemplateId === GLOBAL_ADMINISTRATOR && h.kind === "active" && h.directoryScopeId === "/",
      );
    // Without P2 there is no PIM, so an active assignment is permanent by construction.
    if (ga.some((h) => h.permanent === true || (h.permanent === undefined && p2 === false)))
      add("permanentGlobalAdmin", "holds Global Administrator active and permanent");
    else if (ga.some((h) => h.permanent === undefined))
      add(
        "activeGlobalAdminPermanenceUnknown",
        "holds Global Administrator active (permanence not readable)",
      );

    const namedGroups = [...groups]
      .map((gid) => directory.groups.get(gid))
      .filter((g) => g && (emergencyWordIn(g.displayName) || emergencyWordIn(g.description)))
      .map((g) => g!.displayName ?? g!.id)
      .sort();
    if (namedGroups.length > 0)
      add("emergencyGroupName", `member of ${namedGroups.map((n) => `"${n}"`).join(", ")}`);

    if (Array.isArray(user.assignedLicenses) && user.assignedLicenses.length === 0)
      add("noLicence", "no licence assigned");
    if (hasKey(user, "manager") && !(user as Record<string, unknown>)["manager"])
      add("noManager", "no manager");
    if (hasKey(user, "mail") && !user.mail) add("noMailbox", "no mailbox (mail is empty)");

    // Licence, manager and mailbox alone describe many service and admin accounts: a candidate
    // needs at least one of the stronger signals to be listed at all.
    if (!signals.some((s) => !["noLicence", "noManager", "noMailbox"].includes(s.signal))) continue;
    out.push({
      id: user.id,
      userPrincipalName: user.userPrincipalName ?? null,
      displayName: user.displayName ?? null,
      score: signals.reduce((sum, s) => sum + s.weight, 0),
      signals,
    });
  }
  // Highest score first; ties broken by UPN then id, so the ranking never follows Graph's order.
  return out.sort(
    (a, b) =>
      b.score - a.score ||
      (a.userPrincipalName ?? "").toLowerCase().localeCompare((b.userPrincipalName ?? "").toLowerCase()) ||
      norm(a.id).localeCompare(norm(b.id)),
  );
}

/** The candidates `assess` takes: score at least the threshold, at most `max`, best first. */
export function selectCandidates(
  candidates: readonly DiscoveryCandidate[],
  max: number,
): { selected: DiscoveryCandidate[]; others: DiscoveryCandidate[] } {
  const eligible = candidates.filter((c) => c.score >= DISCOVERY_THRESHOLD);
  const selected = eligible.slice(0, max);
  const chosen = new Set(selected.map((c) => c.id));
  return { selected, others: candidates.filter((c) => !chosen.has(c.id)) };
}

export const signalText = (s: DiscoverySignal): string => `+${s.weight} ${s.reason}`;

const hasKey = (user: User, key: string): boolean => Object.prototype.hasOwnProperty.call(user, key);
