/**
 * The lockout prover (docs/ca-semantics.md §6 Step C, §7). For each emergency account, over every
 * class of the emergency envelope, no policy blocks it and every grant is satisfiable with its
 * own methods; else a concrete counter-example sign-in. In `allAdmins` mode, a tenant-wide
 * lockout is a class in which no privileged user has a satisfiable path.
 *
 * Exhaustive, not sampled: a depth-first walk over the dimensions, where at each node the cells
 * of the next dimension are merged when every still-live policy (and the grant features) treat
 * them alike. Policies a cell rules out drop from the live set, so later dimensions collapse.
 */
import type { Envelope } from "../config/schema.js";
import { atomSatisfied, type Capability, capabilityOf } from "./capability.js";
import { APP, RECOVERY_APPS, resourceOf } from "./catalogue.js";
import {
  type CaEngine,
  combineOutcome,
  type Outcome,
  type PolicyMode,
  type PolicyVerdict,
  stateSelected,
} from "./engine.js";
import { eligibleRoles, explainUsers, identityOf } from "./identity.js";
import { type CompiledPolicy, type GrantAtom, listOf, rawUsersCondition } from "./policy.js";
import { blankSignIn, type DimensionCells, scenarioSpace, setCell } from "./scenarios.js";
import { type Identity, MAYBE, NO, type SignIn, type Target, type Tri, triAnd, YES } from "./types.js";

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
  /** why a proof without counter-example is still not a proof (too many activation combinations). */
  incomplete?: string;
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
  /** compute `whatIfCalls` (a report statistic, not part of the proof); default true. */
  countWhatIfCalls?: boolean;
}

interface Live {
  p: CompiledPolicy;
  t: Tri;
  /** index of the policy in engine.policies. */
  i: number;
}

const MAX_ROLE_SUBSETS = 64;

function referencedRoles(engine: CaEngine): Set<string> {
  const referenced = new Set<string>();
  for (const p of engine.policies) {
    // Malformed policies too: the roles they name are read from the policy as it came.
    const u = rawUsersCondition(p);
    for (const r of [...listOf(u?.includeRoles), ...listOf(u?.excludeRoles)])
      referenced.add(String(r).toLowerCase());
  }
  return referenced;
}

/** Whether activationVariants gave up on every combination (too many referenced eligible roles). */
export function activationTruncated(engine: CaEngine, eligible: string[]): boolean {
  const referenced = referencedRoles(engine);
  return 2 ** eligible.filter((r) => referenced.has(r)).length > MAX_ROLE_SUBSETS;
}

/** Role-activation variants: every subset of the eligible roles a policy references. */
export function activationVariants(engine: CaEngine, eligible: string[]): string[][] {
  const referenced = referencedRoles(engine);
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
  const sensitive = grantSensitivity(dims);
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
      setCell(signIn, dimension, cell.value);
      const tests = constraining.map((l) => l.p.test(dimension, signIn));
      const key = `${sensitive(dimension, cur) ? cell.grantKey : ""}|${tests.join("")}`;
      if (!groups.has(key)) groups.set(key, { cell, tests });
    }
    for (const { cell, tests } of groups.values()) {
      setCell(signIn, dimension, cell.value);
      let next: Live[];
      if (!constraining.length) next = cur;
      else {
        const byPolicy = new Map<CompiledPolicy, Tri>();
        constraining.forEach((l, k) => byPolicy.set(l.p, tests[k]!));
        next = [];
        for (const l of cur) {
          const t = byPolicy.get(l.p);
          if (t === undefined) next.push(l);
          else if (t !== NO) next.push(t === l.t ? l : { p: l.p, t: triAnd(l.t, t), i: l.i });
        }
      }
      rec(i + 1, next);
    }
  };
  rec(0, live);
  return count;
}

const DEVICE_ATOMS = new Set([
  "compliantDevice",
  "domainJoinedDevice",
  "approvedApplication",
  "compliantApplication",
]);

/**
 * Whether grant satisfiability can tell a dimension's cells apart for these live policies. The
 * platform only matters to device and app grants, and to Windows Hello (a registered Windows
 * device); merging platforms otherwise keeps counter-examples to one per real difference.
 */
function grantSensitivity(dims: DimensionCells[]): (dimension: string, cur: Live[]) => boolean {
  const registeredDevice = dims.some(
    (d) => d.dimension === "device" && d.cells.some((c) => c.value !== null),
  );
  return (dimension, cur) => {
    if (dimension !== "platform" || registeredDevice) return true;
    return cur.some((l) => l.p.grant?.atoms.some((a) => DEVICE_ATOMS.has(a.kind)));
  };
}

/** Classes of the whole partition (every dimension cut by every policy at once): What If's cost. */
function fullPartitionSize(dims: DimensionCells[], policies: CompiledPolicy[]): number {
  let n = 1;
  const signIn = blankSignIn();
  for (const { dimension, cells } of dims) {
    const constraining = policies.filter((p) => p.constrains.has(dimension));
    const keys = new Set<string>();
    for (const cell of cells) {
      setCell(signIn, dimension, cell.value);
      keys.add(`${cell.grantKey}|${constraining.map((p) => p.test(dimension, signIn)).join("")}`);
    }
    n *= keys.size;
  }
  return n;
}

function usersLive(engine: CaEngine, identity: Identity, mode: PolicyMode): Live[] {
  const out: Live[] = [];
  for (const [i, p] of engine.policies.entries()) {
    const s = stateSelected(p, mode);
    if (s === NO) continue;
    const u = p.users(identity);
    if (u === NO) continue;
    out.push({ p, t: p.unmodelled.length ? triAnd(triAnd(s, u), MAYBE) : triAnd(s, u), i });
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
      path: explainUsers(engine.directory, rawUsersCondition(p), identity, "include", activated) ?? "",
    }));
}

const spaces = new WeakMap<CaEngine, Map<string, DimensionCells[]>>();

/** The scenario space of an engine for an envelope, built once per engine. */
export function spaceOf(engine: CaEngine, envelope: Envelope, exposure = false): DimensionCells[] {
  let byKey = spaces.get(engine);
  if (!byKey) spaces.set(engine, (byKey = new Map()));
  const key = JSON.stringify([envelope, exposure]);
  let dims = byKey.get(key);
  if (!dims) byKey.set(key, (dims = scenarioSpace(engine, { envelope, exposure })));
  return dims;
}

const partitionSizes = new WeakMap<DimensionCells[], Map<PolicyMode, number>>();
function cachedPartitionSize(engine: CaEngine, dims: DimensionCells[], mode: PolicyMode): number {
  let byMode = partitionSizes.get(dims);
  if (!byMode) partitionSizes.set(dims, (byMode = new Map()));
  let n = byMode.get(mode);
  if (n === undefined)
    byMode.set(
      mode,
      (n = fullPartitionSize(
        dims,
        engine.policies.filter((p) => stateSelected(p, mode) !== NO),
      )),
    );
  return n;
}

/** Proves one account over the envelope. */
export function proveAccount(engine: CaEngine, userId: string, opts: ProveOptions): AccountProof {
  const mode = opts.mode ?? "enforced";
  const max = opts.maxExamples ?? 20;
  const dims = spaceOf(engine, opts.envelope, opts.exposure);
  const cap = capabilityOf(engine.snapshot, engine.directory, userId);
  const user = engine.directory.user(userId);
  const eligible = eligibleRoles(engine.directory, userId);
  const variants = activationVariants(engine, eligible);
  // Past MAX_ROLE_SUBSETS only "none" and "all" are tried: no counter-example is then no proof.
  const incomplete = activationTruncated(engine, eligible)
    ? `${eligible.length} eligible roles: only none and all activated were tried`
    : undefined;
  const counterExamples: CounterExample[] = [];
  let classes = 0;
  let failing = 0;
  let definiteFail = false;
  let whatIfCalls = 0;
  for (const activated of variants) {
    const identity = identityOf(engine.directory, userId, { activated });
    const live = usersLive(engine, identity, mode);
    if (opts.countWhatIfCalls !== false) whatIfCalls += cachedPartitionSize(engine, dims, mode);
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
    status: failing === 0 ? (incomplete ? "undecided" : "proven") : definiteFail ? "refuted" : "undecided",
    incomplete,
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
  const dims = spaceOf(engine, opts.envelope, opts.exposure);
  const adminIds = opts.adminIds ?? [...engine.directory.privilegedUserIds()].sort();
  interface AdminClass {
    userIds: string[];
    identity: Identity;
    cap: Capability;
    capKey: string;
    /** per policy index: 0 not in scope, else the users-step Tri (with state and unmodelled). */
    member: Uint8Array;
  }
  const classes = new Map<string, AdminClass>();
  for (const id of adminIds) {
    const identity = identityOf(engine.directory, id, { activated: eligibleRoles(engine.directory, id) });
    const cap = capabilityOf(engine.snapshot, engine.directory, id);
    const member = new Uint8Array(engine.policies.length);
    for (const l of usersLive(engine, identity, mode)) member[l.i] = l.t;
    const capKey =
      cap.methods
        .filter((m) => m.enabled)
        .map((m) => `${m.mode}:${m.aaguid ?? ""}`)
        .sort()
        .join(",") + `|${cap.ssprRegistered}`;
    const key = `${member.join("")}|${capKey}`;
    const c = classes.get(key);
    if (c) c.userIds.push(id);
    else classes.set(key, { userIds: [id], identity, cap, capKey, member });
  }
  const order = [...classes.values()];
  const inUnion = new Uint8Array(engine.policies.length);
  for (const c of order) for (let i = 0; i < c.member.length; i++) if (c.member[i]) inUnion[i] = 1;
  const live: Live[] = [];
  for (const [i, p] of engine.policies.entries())
    if (inUnion[i] && stateSelected(p, mode) !== NO) live.push({ p, t: YES, i });
  const lockouts: TenantLockout[] = [];
  let lockoutClasses = 0;
  const maxExamples = opts.maxExamples ?? 20;
  const verdictsOf = (c: AdminClass, cur: Live[]): PolicyVerdict[] => {
    const out: PolicyVerdict[] = [];
    for (const l of cur) {
      const m = c.member[l.i] as Tri;
      if (m) out.push({ policy: l.p, applies: triAnd(m, l.t), reason: "notSet" });
    }
    return out;
  };
  // A recovery path (docs/ca-semantics.md §6 Step C): some recovery resource is allowed, and so is the
  // directory itself, which every All-resources policy hits even when the resource is excluded.
  const targetCells = dims.find((d) => d.dimension === "target")?.cells ?? [];
  const otherDims = dims.filter((d) => d.dimension !== "target");
  const isApp = (v: unknown, ids: ReadonlySet<string>) =>
    (v as Target).kind === "app" && ids.has((v as { appId: string }).appId);
  const recoveryCells = targetCells.filter((c) => isApp(c.value, RECOVERY_PATHS));
  const directoryCell = targetCells.find((c) => isApp(c.value, new Set([APP.azureAdGraph])));
  interface AtTarget {
    signIn: SignIn;
    live: Live[];
    cache: Map<string, boolean>;
  }
  const outcomeAt = (c: AdminClass, x: AtTarget) =>
    combineOutcome(verdictsOf(c, x.live), x.signIn, c.cap, engine.strengths);
  const allowedAt = (c: AdminClass, x: AtTarget) =>
    quickAllowed(engine, c.member, c.cap, c.capKey, x.live, x.signIn, x.cache) ??
    outcomeAt(c, x).verdict === "allowed";
  const visited = walk(otherDims, live, (base, cur) => {
    const at = (cell: { value: unknown }): AtTarget => {
      const signIn = { ...base, target: cell.value as Target };
      const l2: Live[] = [];
      for (const l of cur) {
        const t = l.p.test("target", signIn);
        if (t !== NO) l2.push(t === YES ? l : { ...l, t: triAnd(l.t, t) });
      }
      return { signIn, live: l2, cache: new Map() };
    };
    const dir = directoryCell ? at(directoryCell) : undefined;
    const paths = recoveryCells.map(at);
    for (let k = 0; k < order.length; k++) {
      const c = order[k]!;
      if ((!dir || allowedAt(c, dir)) && paths.some((x) => allowedAt(c, x))) {
        // Move the admin who got in to the front: the next class most likely lets them in too.
        if (k > 0) order.unshift(...order.splice(k, 1));
        return;
      }
    }
    lockoutClasses++;
    if (lockouts.length >= maxExamples) return;
    // For the example: each admin's failing outcome (the directory's if it fails, else the first path's).
    const failure = (c: AdminClass) => {
      const d = dir ? outcomeAt(c, dir) : undefined;
      if (d && d.verdict !== "allowed") return { x: dir!, outcome: d, definite: d.definite };
      const outs = paths.map((x) => ({ x, outcome: outcomeAt(c, x) }));
      return { ...outs[0]!, definite: outs.every((o) => o.outcome.definite) };
    };
    const failures = order.map((c) => ({ c, ...failure(c) }));
    lockouts.push({
      signIn: failures[0]!.x.signIn,
      definite: failures.every((f) => f.definite),
      admins: failures.slice(0, 5).map((f) => ({
        userId: f.c.userIds[0]!,
        userPrincipalName: engine.directory.user(f.c.userIds[0]!)?.userPrincipalName ?? undefined,
        outcome: f.outcome,
      })),
    });
  });
  return {
    admins: adminIds.length,
    adminClasses: classes.size,
    classes: visited,
    lockouts,
    lockoutClasses,
    whatIfCalls:
      opts.countWhatIfCalls === false ? 0 : cachedPartitionSize(engine, dims, mode) * adminIds.length,
  };
}

const RECOVERY_PATHS: ReadonlySet<string> = new Set(RECOVERY_APPS.filter((a) => a !== APP.azureAdGraph));

/**
 * The allowed/not-allowed answer of combineOutcome without building it: true, false, or
 * undefined where the fast path does not decide (registration strength precedence).
 */
function quickAllowed(
  engine: CaEngine,
  member: Uint8Array,
  cap: Capability,
  capKey: string,
  cur: Live[],
  signIn: SignIn,
  atomCache: Map<string, boolean>,
): boolean | undefined {
  if (signIn.target.kind === "userAction") return undefined;
  const atomOk = (atom: GrantAtom): boolean => {
    const key = `${capKey}#${atom.kind}:${(atom as { id?: string }).id ?? ""}`;
    let ok = atomCache.get(key);
    if (ok === undefined) atomCache.set(key, (ok = atomSatisfied(atom, cap, signIn, engine.strengths).ok));
    return ok;
  };
  for (const l of cur) {
    if (!member[l.i]) continue;
    const g = l.p.grant;
    if (!g) continue;
    if (g.block) return false;
    const met = g.operator === "OR" ? g.atoms.some(atomOk) : g.atoms.every(atomOk);
    if (!met) return false;
  }
  if (
    signIn.target.kind === "app" &&
    resourceOf(signIn.target.appId).mandatoryMfa &&
    !atomOk({ kind: "mfa" })
  )
    return false;
  return true;
}

/** The resource a counter-example targets, in words. */
export function describeTarget(signIn: SignIn): string {
  const t = signIn.target;
  if (t.kind === "app") return resourceOf(t.appId).name;
  if (t.kind === "userAction") return `user action ${t.action}`;
  return `authentication context ${t.value}`;
}
