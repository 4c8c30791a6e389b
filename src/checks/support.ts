/**
 * Helpers shared by the checks: the emergency accounts as user objects, per-account needs,
 * licence gates, role-data needs and method classification. Kept small and pure.
 */
import { isAvailable, objectPath, unavailableReason } from "../snapshot/availability.js";
import { licenceTier, norm } from "../snapshot/directory.js";
import type { AuthenticationMethod, User } from "../snapshot/schema.js";
import type { CheckContext, EmergencyAccount, Finding, Need, Subject } from "./types.js";

export interface AccountUser {
  account: EmergencyAccount;
  /** the user object; undefined only when the users section could not be read. */
  user: User | undefined;
}

/** The resolved emergency accounts with their user objects, in resolution order. */
export function accountUsers(ctx: CheckContext): AccountUser[] {
  return ctx.accounts.resolved.map((account) => ({ account, user: ctx.directory.user(account.id) }));
}

export function userSubject(u: { id: string; displayName?: string | null }): Subject {
  return { type: "user", id: u.id, displayName: u.displayName ?? null };
}

export function accountLabel(a: { id: string; userPrincipalName?: string | null }): string {
  return a.userPrincipalName ?? a.id;
}

/** `users[<id>].<relationship>` for every emergency account. */
export function perAccountNeeds(ctx: CheckContext, relationship: string): Need[] {
  return ctx.accounts.resolved.map((a) => objectPath("users", a.id, relationship));
}

/** Whether a relationship of one user was read (the user may still have none: an empty list). */
export function relationshipReadable(ctx: CheckContext, userId: string, relationship: string): boolean {
  return isAvailable(ctx.snapshot, objectPath("users", userId, relationship));
}

/**
 * A user's authentication methods, or undefined when they could not be read (listed in
 * `unavailable`, or not collected for this user). Never an empty list for "unknown".
 */
export function methodsOf(ctx: CheckContext, userId: string): AuthenticationMethod[] | undefined {
  const path = objectPath("users", userId, "authenticationMethods");
  if (unavailableReason(ctx.snapshot, path) !== undefined) return undefined;
  const user = ctx.directory.user(userId);
  return user?.authenticationMethods;
}

/** An `unknown` finding for one account whose data could not be read. */
export function unreadableFinding(ctx: CheckContext, a: EmergencyAccount, path: string): Finding {
  const reason = unavailableReason(ctx.snapshot, path) ?? "not collected for this account";
  return {
    status: "unknown",
    subject: userSubject(a),
    message: `${accountLabel(a)}: ${path.replace(/\[[^\]]*\]/, "")} could not be read (${reason})`,
    evidence: { path, reason },
  };
}

/** `appliesTo` shared by per-account checks: skip when no account was resolved (EA-ACC-01 fails then). */
export function needsAccounts(ctx: CheckContext): string | undefined {
  if (ctx.accounts.resolved.length > 0) return undefined;
  // With the users section unreadable nothing resolves; the check then runs and its needs make it
  // unknown rather than skip, so missing data is never mistaken for "not applicable".
  if (!isAvailable(ctx.snapshot, "users")) return undefined;
  return "no emergency account was resolved (EA-ACC-01 reports why)";
}

export type LicenceLevel = "p1" | "p2";

/**
 * Skip reason when the tenant provably lacks the licence; undefined when it has it or when the
 * SKUs were not read (then the feature's data decides, and its absence makes the check unknown).
 */
export function lacksLicence(ctx: CheckContext, level: LicenceLevel, feature: string): string | undefined {
  const tier = licenceTier(ctx.snapshot);
  if (!tier) return undefined;
  if (level === "p1" && !tier.p1) return `${feature} needs Microsoft Entra ID P1; the tenant has none`;
  if (level === "p2" && !tier.p2) return `${feature} needs Microsoft Entra ID P2; the tenant has none`;
  return undefined;
}

/** true / false from subscribedSkus, undefined when they were not read. */
export function hasP2(ctx: CheckContext): boolean | undefined {
  return licenceTier(ctx.snapshot)?.p2;
}

/**
 * The snapshot sections role holdings are computed from. PIM schedules exist only with P2: where the
 * tenant provably has no P2 they cannot hold anything, so they are not needed.
 */
export function roleDataNeeds(ctx: CheckContext): Need[] {
  // Roles held through groups reach their users through the groups' members.
  const needs: Need[] = ["roleAssignments", "groups", "groups.members"];
  if (hasP2(ctx) !== false) {
    needs.push(
      "roleAssignmentSchedules",
      "roleEligibilitySchedules",
      "privilegedAccessGroupAssignmentSchedules",
      "privilegedAccessGroupEligibilitySchedules",
    );
  }
  return needs;
}

/** Whether every section role holdings come from was read. */
export function roleDataComplete(ctx: CheckContext): boolean {
  return roleDataNeeds(ctx).every((n) => typeof n === "string" && isAvailable(ctx.snapshot, n));
}

/** `#microsoft.graph.fido2AuthenticationMethod` -> `fido2`. */
export function methodKind(m: { "@odata.type"?: string }): string {
  return (m["@odata.type"] ?? "").replace(/^#?microsoft\.graph\./, "").replace(/AuthenticationMethod$/, "");
}

export const idSet = (ids: Iterable<string | null | undefined>): Set<string> => {
  const out = new Set<string>();
  for (const id of ids) if (id) out.add(norm(id));
  return out;
};

export const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** Whole days between two instants (b - a). */
export const daysBetween = (a: Date, b: Date): number => Math.floor((b.getTime() - a.getTime()) / 86_400_000);

export const parseDate = (s: string | null | undefined): Date | undefined => {
  if (!s || s.startsWith("0001-01-01")) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

/** Whether a user is covered by policy targets (`all_users` or a group holding the user transitively). */
export function targetsCover(
  ctx: CheckContext,
  userId: string,
  targets: ReadonlyArray<{ id?: unknown; targetType?: unknown }> | null | undefined,
): string | undefined {
  const groups = ctx.directory.transitiveGroupsOf(userId);
  for (const t of targets ?? []) {
    const id = typeof t.id === "string" ? t.id : "";
    if (id.toLowerCase() === "all_users") return "all_users";
    if (norm(id) === norm(userId)) return `user ${id}`;
    if (groups.has(norm(id))) return `group ${ctx.directory.groups.get(norm(id))?.displayName ?? id}`;
  }
  return undefined;
}

/** FIDO2 methods of a list. */
export const fido2Methods = (methods: readonly AuthenticationMethod[]): AuthenticationMethod[] =>
  methods.filter((m) => methodKind(m) === "fido2");

/** `users[<id>].authenticationMethods`. */
export const methodsPath = (userId: string): string => objectPath("users", userId, "authenticationMethods");
