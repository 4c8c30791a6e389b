/**
 * The lockout prover (ca-semantics.md §6 Step C, §7). For each emergency account, over every
 * class of the emergency envelope, no policy blocks it and every grant is satisfiable with its
 * own methods; else a concrete counter-example sign-in. In `allAdmins` mode, a tenant-wide
 * lockout is a class in which no privileged user has a satisfiable path.
 *
 * Exhaustive, not sampled: a depth-first walk over the dimensions, where at each node the cells
 * of the next dimension are merged when every still-live policy (and the grant features) treat
 * them alike. Policies a cell rules out drop from the live set, so later dimensions collapse.
 */
import type { Envelope } from "../config/schema.js";
import { type Capability, capabilityOf } from "./capability.js";
import { resourceOf } from "./catalogue.js";
import {
  type CaEngine,
  combineOutcome,
  type Outcome,
  type PolicyMode,
  type PolicyVerdict,
  stateSelected,
} from "./engine.js";
import { eligibleRoles, explainUsers, identityOf } from "./identity.js";
import type { CompiledPolicy } from "./policy.js";
import { blankSignIn, type DimensionCells, scenarioSpace } from "./scenarios.js";
import { type Identity, MAYBE, NO, type SignIn, type Tri, triAnd } from "./types.js";

export interface CounterExample {
  userId: string;
  userPrincipalName?: string;
  /** eligible roles activated in this class (PIM). */
  activatedRoles: string[];
  signIn: SignIn;
  outcome: Outcome;
  /** for each responsible policy, how the account is pulled in. */
  paths: Array<{ policyId: string; displayName: string; path: string }>;
}

export interface AccountProof {
  userId: string;
  userPrincipalName?: string;
  /** proven: no class fails; refuted: a definite counter-example; undecided: only MAYBE counter-examples. */
  status: "proven" | "refuted" | "undecided";
  classes: number;
  failingClasses: number;
  counterExamples: CounterExample[];
  /** What If calls the same coverage would take (one per class of the un-pruned partition). */
  whatIfCalls: number;
}

export interface ProveOptions {
  envelope: Envelope;
  mode?: PolicyMode;
  /** counter-examples kept per account (every failing class is still counted). */
  maxExamples?: number;
  /** the full space (every resource, client, flow) instead of the envelope. */
  exposure?: boolean;
}

interface Live {
  p: CompiledPolicy;
  t: Tri;
}

const MAX_ROLE_SUBSETS = 64;

/** Role-activation variants: every subset of the eligible roles a policy references. */
function activationVariants(engine: CaEngine, eligible: string[]): string[][] {
  const referenced = new Set<string>();
  for (const p of engine.policies) {
    const u = (p.raw.conditions as any)?.users ?? {};
    for (const r of [...(u.includeRoles ?? []), ...(u.excludeRoles ?? [])])
      referenced.add(String(r).toLowerCase());
  }
  const relevant = eligible.filter((r) => referenced.has(r));
  const others = eligible.filter((r) => !referenced.has(r));
  if (2 ** relevant.length > MAX_ROLE_SUBSETS) return [[], eligible];
  const out: string[][] = [];
  for (let mask = 0; mask < 2 ** relevant.length; mask++) {
    const sel = relevant.filter((_, i) => mask & (1 << i));
    // Unreferenced roles change nothing; activate them with the full set only, for the record.
    out.push(mask === 2 ** relevant.length - 1 ? [...sel, ...others] : sel);
  }
  return out;
}

/**
 * Walks the space; calls `leaf` with the sign-in and the live policies (applicability YES/MAYBE
 * on every dimension so far). Returns the number of leaves (classes) visited.
 */
export function walk(
  dims: DimensionCells[],
  live: Live[],
  leaf: (signIn: SignIn, live: Live[]) => void,
): number {
  let count = 0;
  const signIn = blankSignIn();
  const rec = (i: number, cur: Live[]) => {
    if (i === dims.length) {
      count++;
      leaf({ ...signIn }, cur);
      return;
    }
    const { dimension, cells } = dims[i]!;
    const constraining = cur.filter((l) => l.p.constrains.has(dimension));
    const groups = new Map<string, { cell: (typeof cells)[number]; tests: Tri[] }>();
    for (const cell of cells) {
      (signIn as any)[dimension] = cell.value;
      const tests = constraining.map((l) => l.p.test(dimension, signIn));
      const key = `${cell.grantKey}|${tests.join("")}`;
      if (!groups.has(key)) groups.set(key, { cell, tests });
    }
    for (const { cell, tests } of groups.values()) {
      (signIn as any)[dimension] = cell.value;
      let next: Live[];
      if (!constraining.length) next = cur;
      else {
        const byPolicy = new Map<CompiledPolicy, Tri>();
        constraining.forEach((l, k) => byPolicy.set(l.p, tests[k]!));
        next = [];
        for (const l of cur) {
          const t = byPolicy.get(l.p);
          if (t === undefined) next.push(l);
          else if (t !== NO) next.push(t === l.t ? l : { p: l.p, t: triAnd(l.t, t) });
        }
      }
      rec(i + 1, next);
    }
  };
  rec(0, live);
  return count;
}

/** Classes of the whole partition (every dimension cut by every policy at once): What If's cost. */
function fullPartitionSize(dims: DimensionCells[], policies: CompiledPolicy[]): number {
  let n = 1;
  const signIn = blankSignIn();
  for (const { dimension, cells } of dims) {
    const constraining = policies.filter((p) => p.constrains.has(dimension));
    const keys = new Set<string>();
    for (const cell of cells) {
      (signIn as any)[dimension] = cell.value;
      keys.add(`${cell.grantKey}|${constraining.map((p) => p.test(dimension, signIn)).join("")}`);
    }
    n *= keys.size;
  }
  return n;
}

function usersLive(engine: CaEngine, identity: Identity, mode: PolicyMode): Live[] {
  const out: Live[] = [];
  for (const p of engine.policies) {
    const s = stateSelected(p, mode);
    if (s === NO) continue;
    const u = p.users(identity);
    if (u === NO) continue;
    out.push({ p, t: p.unmodelled.length ? triAnd(triAnd(s, u), MAYBE) : triAnd(s, u) });
  }
  return out;
}

const toVerdicts = (live: Live[]): PolicyVerdict[] =>
  live.map((l) => ({ policy: l.p, applies: l.t, reason: "notSet" }));

function pathsOf(engine: CaEngine, outcome: Outcome, identity: Identity, activated: Set<string>) {
  const ids = new Set([
    ...outcome.blockedBy.map((b) => b.policyId),
    ...outcome.requirements.filter((r) => !r.met).map((r) => r.policyId),
  ]);
  return engine.policies
    .filter((p) => ids.has(p.id))
    .map((p) => ({
      policyId: p.id,
      displayName: p.displayName,
      path:
        explainUsers(engine.directory, (p.raw.conditions as any)?.users, identity, "include", activated) ??
        "",
    }));
}

/** Proves one account over the envelope. */
export function proveAccount(engine: CaEngine, userId: string, opts: ProveOptions): AccountProof {
  const mode = opts.mode ?? "enforced";
  const max = opts.maxExamples ?? 20;
  const dims = scenarioSpace(engine, { envelope: opts.envelope, exposure: opts.exposure });
  const cap = capabilityOf(engine.snapshot, engine.directory, userId);
  const user = engine.directory.user(userId);
  const variants = activationVariants(engine, eligibleRoles(engine.directory, userId));
  const counterExamples: CounterExample[] = [];
  let classes = 0;
  let failing = 0;
  let definiteFail = false;
  let whatIfCalls = 0;
  for (const activated of variants) {
    const identity = identityOf(engine.directory, userId, { activated });
    const live = usersLive(engine, identity, mode);
    whatIfCalls += fullPartitionSize(
      dims,
      engine.policies.filter((p) => stateSelected(p, mode) !== NO),
    );
    classes += walk(dims, live, (signIn, cur) => {
      const outcome = combineOutcome(toVerdicts(cur), signIn, cap, engine.strengths);
      if (outcome.verdict === "allowed") return;
      failing++;
      if (outcome.definite) definiteFail = true;
      // Keep definite counter-examples ahead of MAYBE ones.
      if (
        counterExamples.length < max ||
        (outcome.definite && counterExamples.some((c) => !c.outcome.definite))
      ) {
        const ce: CounterExample = {
          userId: identity.userId,
          userPrincipalName: user?.userPrincipalName ?? undefined,
          activatedRoles: activated,
          signIn,
          outcome,
          paths: pathsOf(engine, outcome, identity, new Set(activated)),
        };
        if (counterExamples.length >= max)
          counterExamples.splice(
            counterExamples.findIndex((c) => !c.outcome.definite),
            1,
          );
        counterExamples.push(ce);
      }
    });
  }
  return {
    userId: user?.id ?? userId,
    userPrincipalName: user?.userPrincipalName ?? undefined,
    status: failing === 0 ? "proven" : definiteFail ? "refuted" : "undecided",
    classes,
    failingClasses: failing,
    counterExamples: counterExamples.sort((a, b) => Number(b.outcome.definite) - Number(a.outcome.definite)),
    whatIfCalls,
  };
}

export interface TenantLockout {
  signIn: SignIn;
  /** true when every admin fails definitely; false when some only may fail. */
  definite: boolean;
  /** up to 5 admins with why they fail. */
  admins: Array<{ userId: string; userPrincipalName?: string; outcome: Outcome }>;
}

export interface AllAdminsProof {
  admins: number;
  /** groups of admins the policies and their methods cannot tell apart. */
  adminClasses: number;
  classes: number;
  lockouts: TenantLockout[];
  lockoutClasses: number;
  whatIfCalls: number;
}

/**
 * Tenant-wide lockout: a class in which no privileged user (each with its own methods, eligible
 * roles activated, on an unregistered device per the envelope) has a satisfiable path.
 */
export function proveAllAdmins(
  engine: CaEngine,
  opts: ProveOptions & { adminIds?: string[] },
): AllAdminsProof {
  const mode = opts.mode ?? "enforced";
  const dims = scenarioSpace(engine, { envelope: opts.envelope, exposure: opts.exposure });
  const adminIds = opts.adminIds ?? [...engine.directory.privilegedUserIds()].sort();
  const selected = engine.policies.filter((p) => stateSelected(p, mode) !== NO);
  interface AdminClass {
    userIds: string[];
    identity: Identity;
    cap: Capability;
    member: Map<CompiledPolicy, Tri>;
  }
  const classes = new Map<string, AdminClass>();
  for (const id of adminIds) {
    const identity = identityOf(engine.directory, id, { activated: eligibleRoles(engine.directory, id) });
    const cap = capabilityOf(engine.snapshot, engine.directory, id);
    const member = new Map<CompiledPolicy, Tri>();
    for (const l of usersLive(engine, identity, mode)) member.set(l.p, l.t);
    const key =
      [...member.entries()].map(([p, t]) => `${p.id}:${t}`).join(",") +
      "|" +
      cap.methods
        .filter((m) => m.enabled)
        .map((m) => `${m.mode}:${m.aaguid ?? ""}`)
        .sort()
        .join(",") +
      `|${cap.ssprRegistered}`;
    const c = classes.get(key);
    if (c) c.userIds.push(id);
    else classes.set(key, { userIds: [id], identity, cap, member });
  }
  const order = [...classes.values()];
  const union = new Map<CompiledPolicy, Tri>();
  for (const c of order) for (const [p] of c.member) union.set(p, YES_OR(union.get(p)));
  const live: Live[] = selected.filter((p) => union.has(p)).map((p) => ({ p, t: 1 as Tri }));
  const lockouts: TenantLockout[] = [];
  let lockoutClasses = 0;
  const visited = walk(dims, live, (signIn, cur) => {
    const failures: TenantLockout["admins"] = [];
    let allDefinite = true;
    for (let k = 0; k < order.length; k++) {
      const c = order[k]!;
      const verdicts: PolicyVerdict[] = [];
      for (const l of cur) {
        const m = c.member.get(l.p);
        if (m !== undefined) verdicts.push({ policy: l.p, applies: triAnd(m, l.t), reason: "notSet" });
      }
      const outcome = combineOutcome(verdicts, signIn, c.cap, engine.strengths);
      if (outcome.verdict === "allowed") {
        // Move the admin who got in to the front: the next class most likely lets them in too.
        if (k > 0) order.unshift(...order.splice(k, 1));
        return;
      }
      if (!outcome.definite) allDefinite = false;
      if (failures.length < 5)
        failures.push({
          userId: c.userIds[0]!,
          userPrincipalName: engine.directory.user(c.userIds[0]!)?.userPrincipalName ?? undefined,
          outcome,
        });
    }
    lockoutClasses++;
    if (lockouts.length < (opts.maxExamples ?? 20))
      lockouts.push({ signIn, definite: allDefinite, admins: failures });
  });
  return {
    admins: adminIds.length,
    adminClasses: classes.size,
    classes: visited,
    lockouts,
    lockoutClasses,
    whatIfCalls: fullPartitionSize(dims, selected) * adminIds.length,
  };
}

const YES_OR = (t: Tri | undefined): Tri => (t === undefined ? 1 : t);

/** The resource a counter-example targets, in words. */
export function describeTarget(signIn: SignIn): string {
  const t = signIn.target;
  if (t.kind === "app") return resourceOf(t.appId).name;
  if (t.kind === "userAction") return `user action ${t.action}`;
  return `authentication context ${t.value}`;
}
