/**
 * The emergency accounts as the checks iterate them: with their user objects, in a stable order, and
 * with the `unknown` finding an account gets when the data a check grades it on could not be read.
 */
import { isAvailable, objectPath, unavailableReason } from "../../snapshot/availability.js";
import { norm } from "../../snapshot/directory.js";
import type { AuthenticationMethod, User } from "../../snapshot/schema.js";
import { type Subject, userSubject } from "../../snapshot/subjects.js";
import type { CheckContext, EmergencyAccount, Finding, Need } from "../types.js";

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

/** One emergency account as a per-account check grades it. */
export interface AccountView {
  account: EmergencyAccount;
  user: User;
  subject: Subject;
  /** how messages name the account: its UPN, else its id. */
  label: string;
  /**
   * The account's authentication methods, for a loop that `reads` them (the account was skipped
   * with an `unknown` finding when they could not be read). Reading them without declaring it
   * throws, so a check cannot grade on data it did not ask for.
   */
  methods: AuthenticationMethod[];
}

/**
 * The emergency accounts a per-account check grades, in resolution order. An account without a
 * user object is left out (the users section was unreadable: the check's `users` need makes it
 * unknown); an account whose `reads` relationship could not be read is left out with an `unknown`
 * finding pushed to `findings`, so it is never graded on data that is not there.
 */
export function* eachAccount(
  ctx: CheckContext,
  findings: Finding[],
  reads?: AccountRelationship,
): Generator<AccountView> {
  for (const { account, user } of accountUsers(ctx)) {
    if (!user) continue;
    if (reads) {
      const path = objectPath("users", account.id, reads);
      if (!isAvailable(ctx.snapshot, path) || user[reads] == null || user[reads] === "") {
        findings.push(unreadableFinding(ctx, account, path));
        continue;
      }
    }
    yield {
      account,
      user,
      subject: userSubject(account),
      label: accountLabel(account),
      get methods(): AuthenticationMethod[] {
        if (reads !== "authenticationMethods")
          throw new Error(
            'a check read authentication methods without eachAccount(…, "authenticationMethods")',
          );
        return user.authenticationMethods ?? [];
      },
    };
  }
}
