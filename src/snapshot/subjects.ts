/**
 * Subjects: the references to tenant objects that findings name. One
 * constructor per kind, so one object is named the same way by every check of a report.
 */

export type SubjectType =
  "user" | "group" | "policy" | "role" | "tenant" | "authenticationStrength" | "resource" | "account-ref";

export interface Subject {
  type: SubjectType;
  id: string;
  displayName?: string | null;
}

interface Named {
  id: string;
  displayName?: string | null;
}

/** A user, named by its display name, else its UPN (an account resolved by UPN may have no name read). */
export const userSubject = (u: Named & { userPrincipalName?: string | null }): Subject => ({
  type: "user",
  id: u.id,
  displayName: u.displayName ?? u.userPrincipalName ?? null,
});

/** The tenant as a whole (a finding about a setting or a count rather than one object). */
export const tenantSubject = (snapshot: { tenant: Named }): Subject => ({
  type: "tenant",
  id: snapshot.tenant.id,
  displayName: snapshot.tenant.displayName ?? null,
});

/** A Conditional Access policy (an id without a name when a configured policy does not exist). */
export const policySubject = (p: Named): Subject => ({
  type: "policy",
  id: p.id,
  displayName: p.displayName ?? null,
});

export const groupSubject = (g: Named): Subject => ({
  type: "group",
  id: g.id,
  displayName: g.displayName ?? null,
});

export const strengthSubject = (s: Named): Subject => ({
  type: "authenticationStrength",
  id: s.id,
  displayName: s.displayName ?? null,
});
