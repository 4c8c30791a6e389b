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

export interface ChangeReport {
  changedPolicyIds: string[];
  changes: OutcomeChange[];
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

export function checkChange(
  snapshot: Snapshot,
  directory: Directory,
  accountIds: string[],
  edits: Array<Record<string, unknown>>,
  opts: { envelope: Envelope; allAdmins?: boolean; maxExamples?: number },
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
    changedClasses,
    lockoutsBefore,
    lockoutsAfter,
    createsTenantLockout:
      !!lockoutsAfter && lockoutsAfter.lockoutClasses > 0 && (lockoutsBefore?.lockoutClasses ?? 0) === 0,
  };
}
