/**
 * The lockout gate (docs/deploy.md "Gates"): before a step that changes Conditional Access, the
 * methods policy, a role or the emergency group, the tenant after the step (predicted in memory)
 * is proved with the CA engine. Every already-enrolled emergency account must still get in over
 * the emergency envelope (EA-CA-05), and no tenant-wide lockout class may appear that was absent
 * before (`--all-admins`). A refusal carries the counter-examples. Pure.
 */
import { createHash } from "node:crypto";
import type { Envelope } from "../config/schema.js";
import { CaEngine } from "../ca/engine.js";
import { describeCounterExample, describeSignIn } from "../ca/format.js";
import { type AccountProof, proveAccount, proveAllAdmins } from "../ca/prover.js";
import type { SignIn } from "../ca/types.js";
import { Directory } from "../snapshot/directory.js";
import type { Snapshot } from "../snapshot/schema.js";
import { predict } from "./predict.js";
import { MONITORING_KINDS, RESOURCE_KINDS, type ResourceKind, type Step } from "./types.js";

/** The kinds whose steps can change who gets in: all but the accounts' own properties and monitoring. */
export const GATED_KINDS: ReadonlySet<ResourceKind> = new Set(
  RESOURCE_KINDS.filter((k) => k !== "accounts" && !MONITORING_KINDS.includes(k)),
);

export interface LockoutVerdict {
  stepId: string;
  allowed: boolean;
  /** one line per reason the step is refused. */
  reasons: string[];
  /** concrete sign-ins that fail after the step, as the CA engine describes them. */
  counterExamples: string[];
}

export interface GateInput {
  before: Snapshot;
  step: Step;
  /** the user ids of the emergency accounts that are enrolled (hold their keys). */
  enrolledAccountIds: readonly string[];
  envelope: Envelope;
  /** ids of objects created earlier in the run (apply); the plan leaves references as they are. */
  ids?: ReadonlyMap<string, string>;
}

const RANK: Record<AccountProof["status"], number> = { proven: 0, undecided: 1, refuted: 2 };

/**
 * The last proofs, by the content of the tenant they proved: the state after one step is the state
 * before the next (apply predicts it again once the step's ids are known, as an equal copy), so each
 * state is proved once; the prover is the gate's whole cost.
 */
const recentProofs = new Map<string, ReturnType<typeof prove>>();
const RECENT = 4;

function proofs(snapshot: Snapshot, accountIds: readonly string[], envelope: Envelope) {
  const key = createHash("sha256")
    .update(JSON.stringify([snapshot, accountIds, envelope]))
    .digest("hex");
  let out = recentProofs.get(key);
  if (!out) {
    out = prove(snapshot, accountIds, envelope);
    recentProofs.set(key, out);
    if (recentProofs.size > RECENT) recentProofs.delete(recentProofs.keys().next().value!);
  }
  return out;
}

function prove(snapshot: Snapshot, accountIds: readonly string[], envelope: Envelope) {
  const engine = new CaEngine(snapshot, new Directory(snapshot));
  const accounts = accountIds.map((id) =>
    proveAccount(engine, id, { envelope, maxExamples: 3, countWhatIfCalls: false }),
  );
  // Every lockout class, not the first few a report lists: the classes after a step are compared
  // with those before, and a truncated list would show classes that were there all along as new.
  // Listing each class costs its examples, so the full list is made only where the short one is cut.
  const first = proveAllAdmins(engine, { envelope, countWhatIfCalls: false });
  const admins =
    first.lockoutClasses > first.lockouts.length
      ? proveAllAdmins(engine, { envelope, countWhatIfCalls: false, maxExamples: Infinity })
      : first;
  return { accounts, lockouts: new Map(admins.lockouts.map((l) => [lockoutClassKey(l.signIn), l])) };
}

/** A lockout class's identity before and after a step: its sign-in in words, and its sample IP. */
const lockoutClassKey = (s: SignIn): string => `${describeSignIn(s)} | ${s.location.ip ?? ""}`;

/** The predicted tenant after the step, and whether the gate lets the step through. */
export function lockoutGate(input: GateInput): { after: Snapshot; verdict: LockoutVerdict } {
  const after = predict(input.before, input.step, input.ids);
  const verdict: LockoutVerdict = { stepId: input.step.id, allowed: true, reasons: [], counterExamples: [] };
  if (!GATED_KINDS.has(input.step.kind)) return { after, verdict };
  const was = proofs(input.before, input.enrolledAccountIds, input.envelope);
  const now = proofs(after, input.enrolledAccountIds, input.envelope);
  now.accounts.forEach((proof, i) => {
    const prior = was.accounts[i]!;
    if (RANK[proof.status] <= RANK[prior.status]) return;
    verdict.reasons.push(
      `${proof.userPrincipalName ?? proof.userId} would no longer provably get in (${prior.status} before the step, ${proof.status} after)`,
    );
    verdict.counterExamples.push(...proof.counterExamples.map(describeCounterExample));
  });
  for (const [key, lockout] of now.lockouts) {
    if (was.lockouts.has(key)) continue;
    verdict.reasons.push(`a tenant-wide lockout would appear: no administrator gets in on ${key}`);
    verdict.counterExamples.push(...lockout.admins.map((a) => `${a.userPrincipalName ?? a.userId}: ${key}`));
  }
  verdict.allowed = verdict.reasons.length === 0;
  return { after, verdict };
}

/**
 * Runs the gate over a plan's steps in order, each on the state the previous steps predict;
 * stops at the first refusal (nothing after a refused step may be sent). Waiting steps are skipped.
 */
export function gatePlan(
  before: Snapshot,
  steps: readonly Step[],
  enrolledAccountIds: readonly string[],
  envelope: Envelope,
): { after: Snapshot; refused?: LockoutVerdict } {
  let state = before;
  for (const step of steps) {
    if (step.waiting !== undefined) continue;
    const { after, verdict } = lockoutGate({ before: state, step, enrolledAccountIds, envelope });
    if (!verdict.allowed) return { after: state, refused: verdict };
    state = after;
  }
  return { after: state };
}
