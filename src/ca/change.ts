/**
 * Change pre-flight for CA-as-code: given edited or new policies (Graph JSON), does any emergency
 * account's outcome change in any class of the envelope, or does a tenant-wide lockout appear?
 * Both policy sets are walked over one partition (cut by the old and new policies together), so
 * every class of either is covered, and each class is evaluated under both.
 */
import type { Envelope } from "../config/schema.js";
import type { Snapshot } from "../snapshot/schema.js";
import type { Directory } from "../snapshot/directory.js";
import { capabilityOf } from "./capability.js";
import { CaEngine, evaluateSignIn, type Outcome, stateSelected } from "./engine.js";
import { eligibleRoles, identityOf } from "./identity.js";
import { proveAllAdmins, walk, type AllAdminsProof } from "./prover.js";
import { scenarioSpace } from "./scenarios.js";
import type { SignIn } from "./types.js";
import { NO, YES } from "./types.js";

export interface OutcomeChange {
  userId: string;
  activatedRoles: string[];
  signIn: SignIn;
  before: Outcome;
  after: Outcome;
  /** the change can lock the account out (allowed before, not after). */
  lockout: boolean;
}

/**
 * The changed classes of one account that share their before and after outcome: one line of the
 * report, so none is dropped however many there are.
 */
export interface ChangeGroup {
  userId: string;
  userPrincipalName?: string;
  activatedRoles: string[];
  before: Outcome;
  after: Outcome;
  lockout: boolean;
  /** the policies whose part in the outcome differs (block, or requirement met or not). */
  policies: Array<{ policyId: string; displayName: string }>;
  /** how many classes of the envelope the group holds. */
  classes: number;
  /** its sign-ins: every one with `allClasses`, else the first. */
  signIns: SignIn[];
}

export interface ChangeReport {
  changedPolicyIds: string[];
  /** up to `maxExamples` changed classes, lockouts first (every one counts in `changedClasses` and `groups`). */
  changes: OutcomeChange[];
  /** every changed class, grouped by account and outcome pair. */
  groups: ChangeGroup[];
  changedClasses: number;
  lockoutsBefore: AllAdminsProof | undefined;
  lockoutsAfter: AllAdminsProof | undefined;
  /** a tenant-wide lockout exists after the change and did not before. */
  createsTenantLockout: boolean;
  /**
   * Enforced policies, before or after the change, the engine cannot interpret (validate.ts): every
   * outcome they could affect is undecided, so the report cannot say "unchanged" or "no lockout".
   */
  malformed: Array<{ policyId: string; displayName: string; problems: string[] }>;
}

/** The policy set after applying the edits: same id replaces, new id is added. */
export function applyEdits(
  current: Array<Record<string, unknown>>,
  edits: Array<Record<string, unknown>>,
): Array<Record<string, unknown>> {
  const byId = new Map(current.map((p) => [String(p.id).toLowerCase(), p]));
  let n = 0;
  for (const e of edits) {
    const id = e.id ? String(e.id).toLowerCase() : `new-policy-${++n}`;
    byId.set(id, { ...(byId.get(id) ?? {}), ...e, id: e.id ?? id });
  }
  return [...byId.values()];
}

const outcomeKey = (o: Outcome) =>
  `${o.verdict}|${o.blockedBy
    .map((b) => b.policyId)
    .sort()
    .join(",")}|${o.requirements
    .map((r) => `${r.policyId}:${r.met}`)
    .sort()
    .join(",")}`;

/** Each policy's part in an outcome: blocks, or a requirement met or not (`decisive`: only blocks and unmet ones). */
function parts(o: Outcome, decisive: boolean): Map<string, { key: string; displayName: string }> {
  const out = new Map<string, { key: string; displayName: string }>();
  for (const b of o.blockedBy) out.set(b.policyId, { key: "block", displayName: b.displayName });
  for (const r of o.requirements)
    if (!decisive || !r.met) out.set(r.policyId, { key: `requires:${r.met}`, displayName: r.displayName });
  return out;
}

/**
 * The policies the change of outcome turns on: those that block or ask what cannot be met on one
 * side only; failing that (a requirement newly met, say), those whose part differs at all.
 */
function differingPolicies(a: Outcome, b: Outcome): ChangeGroup["policies"] {
  for (const decisive of [true, false]) {
    const pa = parts(a, decisive);
    const pb = parts(b, decisive);
    const out: ChangeGroup["policies"] = [];
    for (const id of new Set([...pa.keys(), ...pb.keys()])) {
      const x = pa.get(id);
      const y = pb.get(id);
      if (x?.key !== y?.key) out.push({ policyId: id, displayName: (y ?? x)!.displayName });
    }
    if (out.length) return out.sort((m, n) => m.displayName.localeCompare(n.displayName));
  }
  return [];
}

export function checkChange(
  snapshot: Snapshot,
  directory: Directory,
  accountIds: string[],
  edits: Array<Record<string, unknown>>,
  opts: { envelope: Envelope; allAdmins?: boolean; maxExamples?: number; allClasses?: boolean },
): ChangeReport {
  const current = (snapshot.conditionalAccessPolicies ?? []) as Array<Record<string, unknown>>;
  const after = applyEdits(current, edits);
  const before = new CaEngine(snapshot, directory, current);
  const next = new CaEngine(snapshot, directory, after);
  const merged = new CaEngine(snapshot, directory, [
    ...current,
    ...after.filter((p) => !current.includes(p)),
  ]);
  const dims = scenarioSpace(merged, { envelope: opts.envelope });
  const changes: OutcomeChange[] = [];
  const groups = new Map<string, ChangeGroup>();
  let changedClasses = 0;
  const max = opts.maxExamples ?? 20;
  for (const id of accountIds) {
    const cap = capabilityOf(snapshot, directory, id);
    const eligible = eligibleRoles(directory, id);
    for (const activated of eligible.length ? [[], eligible] : [[]]) {
      const identity = identityOf(directory, id, { activated });
      const live = merged.policies.flatMap((p, i) => (p.users(identity) !== 0 ? [{ p, t: YES, i }] : []));
      walk(dims, live, (signIn) => {
        const a = evaluateSignIn(before, identity, signIn, { capability: cap }).outcome;
        const b = evaluateSignIn(next, identity, signIn, { capability: cap }).outcome;
        if (outcomeKey(a) === outcomeKey(b)) return;
        changedClasses++;
        const lockout = a.verdict === "allowed" && b.verdict !== "allowed";
        const groupKey = `${identity.userId}|${activated.join(",")}|${outcomeKey(a)}|${outcomeKey(b)}`;
        const group = groups.get(groupKey);
        if (group) {
          group.classes++;
          if (opts.allClasses) group.signIns.push(signIn);
        } else
          groups.set(groupKey, {
            userId: identity.userId,
            userPrincipalName: directory.user(identity.userId)?.userPrincipalName ?? undefined,
            activatedRoles: activated,
            before: a,
            after: b,
            lockout,
            policies: differingPolicies(a, b),
            classes: 1,
            signIns: [signIn],
          });
        if (changes.length < max || (lockout && changes.some((c) => !c.lockout))) {
          if (changes.length >= max)
            changes.splice(
              changes.findIndex((c) => !c.lockout),
              1,
            );
          changes.push({
            userId: identity.userId,
            activatedRoles: activated,
            signIn,
            before: a,
            after: b,
            lockout,
          });
        }
      });
    }
  }
  let lockoutsBefore: AllAdminsProof | undefined;
  let lockoutsAfter: AllAdminsProof | undefined;
  if (opts.allAdmins !== false) {
    lockoutsBefore = proveAllAdmins(before, { envelope: opts.envelope, maxExamples: 3 });
    lockoutsAfter = proveAllAdmins(next, { envelope: opts.envelope, maxExamples: 3 });
  }
  const malformed = new Map<string, ChangeReport["malformed"][number]>();
  for (const p of [...before.policies, ...next.policies])
    if (p.invalid.length && stateSelected(p, "enforced") !== NO)
      malformed.set(p.id, { policyId: p.id, displayName: p.displayName, problems: p.invalid });
  return {
    malformed: [...malformed.values()].sort((a, b) => a.policyId.localeCompare(b.policyId)),
    changedPolicyIds: edits.map((e) => String(e.id ?? "(new)")),
    changes: changes.sort((x, y) => Number(y.lockout) - Number(x.lockout)),
    groups: [...groups.values()].sort(
      (x, y) =>
        Number(y.lockout) - Number(x.lockout) ||
        x.policies
          .map((p) => p.displayName)
          .join()
          .localeCompare(y.policies.map((p) => p.displayName).join()) ||
        (x.userPrincipalName ?? x.userId).localeCompare(y.userPrincipalName ?? y.userId),
    ),
    changedClasses,
    lockoutsBefore,
    lockoutsAfter,
    createsTenantLockout:
      !!lockoutsAfter && lockoutsAfter.lockoutClasses > 0 && (lockoutsBefore?.lockoutClasses ?? 0) === 0,
  };
}
