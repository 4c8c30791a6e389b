/**
 * Whose relationships `export` collects (docs/snapshot.md): the emergency accounts, the discovery
 * candidates and the privileged users. Relationships are authentication methods, per-user MFA state,
 * owned objects and sign-ins; reading them for every user would cost one request per user against
 * the 5-per-10-seconds reports limit, so export reads them only for these users, and of each only
 * what a check needs (docs/reads.md):
 *  - `full`: everything, for whoever may be an emergency account: the configured accounts and the
 *    emergency group's members when the config names them; otherwise every candidate discovery may
 *    pick (CA exclusions, users named in alert queries, privileged users);
 *  - `methodsOnly`: the other privileged users, whose methods EA-AUTH-04 compares with the accounts'.
 *
 * The candidate rule here is deliberately wider than `discover`'s ranking: any user a Conditional
 * Access policy excludes (directly or through a group) or whose id or UPN appears in an alert query.
 * Discovery then ranks them; export only has to make sure their data is there.
 */
import { Directory, norm } from "../snapshot/directory.js";
import type { Snapshot } from "../snapshot/schema.js";

export interface SubjectInput {
  /** configured account references (UPNs or ids). */
  accounts?: string[];
  /** configured emergency group (id or display name). */
  group?: string;
}

export interface RelationshipSubjects {
  /** every candidate's user id (lower case), sorted: the users whose relationships may matter. */
  userIds: string[];
  /** why each user is in (for progress output and debugging). */
  reasons: Map<string, string[]>;
  /** users whose every relationship, sign-ins and audits are read (lower case, sorted). */
  full: string[];
  /** users of whom only the authentication methods are read (lower case, sorted). */
  methodsOnly: string[];
}

interface AlertRuleProperties {
  criteria?: { allOf?: Array<{ query?: unknown }> };
  query?: unknown;
}

/** Every alert query text of the snapshot (Azure Monitor and Sentinel). */
export function alertQueries(snapshot: Snapshot): string[] {
  const out: string[] = [];
  for (const rule of snapshot.azure?.scheduledQueryRules ?? []) {
    const criteria = (rule.properties as AlertRuleProperties | undefined)?.criteria?.allOf;
    if (Array.isArray(criteria))
      for (const c of criteria) if (typeof c?.query === "string") out.push(c.query);
  }
  for (const rule of snapshot.azure?.sentinelAlertRules ?? []) {
    const q = (rule.properties as AlertRuleProperties | undefined)?.query;
    if (typeof q === "string") out.push(q);
  }
  return out;
}

export function relationshipSubjects(snapshot: Snapshot, input: SubjectInput = {}): RelationshipSubjects {
  const dir = new Directory(snapshot);
  const reasons = new Map<string, string[]>();
  const named = new Set<string>();
  const add = (userId: string, reason: string) => {
    const id = norm(userId);
    if (!dir.users.has(id)) return;
    const list = reasons.get(id) ?? [];
    if (!list.includes(reason)) list.push(reason);
    reasons.set(id, list);
  };

  for (const ref of input.accounts ?? []) {
    const u = dir.user(ref);
    if (u) {
      add(u.id, "configured account");
      named.add(norm(u.id));
    }
  }
  if (input.group) {
    const g = dir.group(input.group);
    if (g)
      for (const uid of dir.transitiveUserMembers(g.id).keys()) {
        add(uid, "member of the emergency group");
        named.add(norm(uid));
      }
  }
  for (const uid of dir.privilegedUserIds()) add(uid, "privileged user");

  for (const p of snapshot.conditionalAccessPolicies ?? []) {
    const users = p.conditions?.users;
    for (const id of users?.excludeUsers ?? []) add(id, "excluded from a Conditional Access policy");
    for (const gid of users?.excludeGroups ?? []) {
      for (const uid of dir.transitiveUserMembers(gid).keys())
        add(uid, "excluded from a Conditional Access policy");
    }
  }

  const queries = alertQueries(snapshot).map((q) => q.toLowerCase());
  if (queries.length) {
    for (const u of dir.users.values()) {
      const keys = [u.id, u.userPrincipalName].filter((k): k is string => !!k).map((k) => k.toLowerCase());
      if (keys.some((k) => queries.some((q) => q.includes(k)))) add(u.id, "named in an alert query");
    }
  }
  const userIds = [...reasons.keys()].sort();
  // Configured accounts or group: assess grades exactly those, nobody else can be one.
  const configured = !!(input.accounts?.length || input.group);
  const full = configured ? userIds.filter((id) => named.has(id)) : userIds;
  const methodsOnly = configured
    ? userIds.filter((id) => !named.has(id) && reasons.get(id)!.includes("privileged user"))
    : [];
  return { userIds, reasons, full, methodsOnly };
}
