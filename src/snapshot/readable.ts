/**
 * Whether a snapshot holds anything worth grading (docs/exit-codes.md, exit 3). The core sections
 * are what every emergency-access question starts from: who the accounts are (users, groups), what
 * they hold (role assignments) and what stands in their way (Conditional Access). When not one of
 * them could be read, the tenant was not read at all: a run must say so (exit 3) instead of
 * grading emptiness, which would pass every check that looks for something bad.
 */
import { unavailableReason } from "./availability.js";
import type { Snapshot } from "./schema.js";

/** The core sections, as snapshot paths. */
export const CORE_SECTIONS = ["users", "groups", "roleAssignments", "conditionalAccessPolicies"] as const;

/**
 * Why the tenant counts as unread: one `section: reason` per core section when none of them is
 * available; undefined when at least one was read.
 */
export function unreadTenantReasons(snapshot: Snapshot): string[] | undefined {
  const reasons: string[] = [];
  for (const section of CORE_SECTIONS) {
    const reason = unavailableReason(snapshot, section);
    if (reason === undefined) return undefined;
    reasons.push(`${section}: ${reason}`);
  }
  return reasons;
}
