/**
 * The emergency accounts as the checks iterate them: with their user objects, in a stable order, and
 * with the `unknown` finding an account gets when the data a check grades it on could not be read.
 */
import { isAvailable, objectPath, unavailableReason } from "../../snapshot/availability.js";
import { norm } from "../../snapshot/directory.js";
import type { User } from "../../snapshot/schema.js";
import { userSubject } from "../../snapshot/subjects.js";
import type { CheckContext, EmergencyAccount, Finding, Need } from "../types.js";
import type { AccountView } from "./define.js";

export interface AccountUser {
  account: EmergencyAccount;
  /** the user object; undefined only when the users section could not be read. */
  user: User | undefined;
}

/** The resolved emergency accounts with their user objects, in resolution order. */
export function accountUsers(ctx: CheckContext): AccountUser[] {
  return ctx.accounts.resolved.map((account) => ({ account, user: ctx.directory.user(account.id) }));
}

/** The resolved accounts by id (never Graph's order). */
export function sortedAccounts(ctx: CheckContext): EmergencyAccount[] {
  return [...ctx.accounts.resolved].sort((a, b) => norm(a.id).localeCompare(norm(b.id)));
}

/** How messages name an account: its UPN, else its id. */
export function accountLabel(a: { id: string; userPrincipalName?: string | null }): string {
  return a.userPrincipalName ?? a.id;
}

/** The relationships of a user the per-account checks read. */
export type AccountRelationship = "authenticationMethods" | "perUserMfaState" | "ownedObjects";

/** `users[<id>].<relationship>` for every emergency account. */
export function perAccountNeeds(ctx: CheckContext, relationship: AccountRelationship): Need[] {
  return ctx.accounts.resolved.map((a) => objectPath("users", a.id, relationship));
}

/** `users[<id>].authenticationMethods`. */
export const methodsPath = (userId: string): string => objectPath("users", userId, "authenticationMethods");

/**
 * A user's authentication methods, or undefined when they could not be read (listed in
 * `unavailable`, or not collected for this user). Never an empty list for "unknown".
 */
export function methodsOf(ctx: CheckContext, userId: string) {
  if (!isAvailable(ctx.snapshot, methodsPath(userId))) return undefined;
  return ctx.directory.user(userId)?.authenticationMethods ?? undefined;
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

/**
 * Grades each emergency account with `visit`. An account without a user object is left out (the
 * users section was unreadable: the check's `users` need makes it unknown); an account whose `reads`
 * relationship could not be read gets an `unknown` finding instead of a grade.
 */
export function forEachAccount(
  ctx: CheckContext,
  visit: (view: AccountView) => Finding | Finding[] | undefined,
  reads?: AccountRelationship,
): Finding[] {
  const findings: Finding[] = [];
  for (const { account, user } of accountUsers(ctx)) {
    if (!user) continue;
    const path = reads ? objectPath("users", account.id, reads) : undefined;
    if (path && (!isAvailable(ctx.snapshot, path) || user[reads!] == null)) {
      findings.push(unreadableFinding(ctx, account, path));
      continue;
    }
    const view = {
      account,
      user,
      subject: userSubject(account),
      label: accountLabel(account),
      get methods() {
        if (reads !== "authenticationMethods")
          throw new Error('a check read authentication methods without `reads: "authenticationMethods"`');
        return user.authenticationMethods!;
      },
    };
    const out = visit(view);
    if (Array.isArray(out)) findings.push(...out);
    else if (out) findings.push(out);
  }
  return findings;
}
