/**
 * The evaluator (docs/ca-semantics.md §6): for one sign-in, which policies apply and, for each other
 * one, the first failing condition (What If's `analysisReasons`); then the combined outcome:
 * block wins, otherwise every applying policy's grant must be met (AND/OR inside a policy, AND
 * across policies), and whether the account can meet it.
 */
import type { Directory } from "../snapshot/directory.js";
import { asObject, isJsonObject, isStringList, prop } from "../snapshot/json.js";
import type { Snapshot } from "../snapshot/schema.js";
import { type AtomShortfall, type Capability, atomSatisfied, strengthCatalogue } from "./capability.js";
import { resourceOf, type StrengthDefinition } from "./catalogue.js";
import { type CompiledLocation, compileLocation } from "./locations.js";
import { type CompiledPolicy, compilePolicy, DIMENSIONS, type GrantAtom, reasonOf } from "./policy.js";
import {
  type AnalysisReason,
  type Identity,
  MAYBE,
  NO,
  type SignIn,
  type Tri,
  triAnd,
  USER_ACTIONS,
  YES,
} from "./types.js";

/** Which policy states count: enforced only, or also report-only ("if someone flips them on"), or all. */
export type PolicyMode = "enforced" | "withReportOnly" | "all";

export class CaEngine {
  readonly policies: CompiledPolicy[];
  readonly locations: Map<string, CompiledLocation>;
  private strengthsCache?: Map<string, StrengthDefinition>;
  private readonly inlineStrengths: StrengthDefinition[];

  constructor(
    readonly snapshot: Snapshot,
    readonly directory: Directory,
    /** policies to evaluate instead of the snapshot's (check-change passes the edited set). */
    rawPolicies?: Array<Record<string, unknown>>,
  ) {
    this.locations = new Map(
      ((snapshot.namedLocations ?? []) as Array<Record<string, unknown>>).map((l) => {
        const c = compileLocation(l);
        return [c.id, c];
      }),
    );
    const raws =
      rawPolicies ?? ((snapshot.conditionalAccessPolicies ?? []) as Array<Record<string, unknown>>);
    // Strengths inlined in a policy (as Graph returns them) fill gaps in the snapshot's list.
    const inline: StrengthDefinition[] = [];
    for (const p of raws) {
      // Read from the policy as it came (malformed ones too): a strength that is not a list of
      // combination strings is not one this engine can weigh, so it is left to the catalogue.
      const s = asObject(prop(p.grantControls, "authenticationStrength"));
      if (s?.id && isStringList(s.allowedCombinations))
        inline.push({
          id: String(s.id).toLowerCase(),
          displayName: String(s.displayName ?? s.id),
          allowedCombinations: s.allowedCombinations,
          combinationConfigurations: Array.isArray(s.combinationConfigurations)
            ? s.combinationConfigurations.filter(isJsonObject)
            : [],
        });
    }
    this.inlineStrengths = inline;
    this.policies = raws.map((p) => compilePolicy(p, { locations: this.locations }));
  }

  /** The authentication strengths, read when a grant is first evaluated (exposure views need none). */
  get strengths(): Map<string, StrengthDefinition> {
    return (this.strengthsCache ??= strengthCatalogue(this.snapshot, this.inlineStrengths));
  }
}

export function stateSelected(p: CompiledPolicy, mode: PolicyMode): Tri {
  if (p.state === "enabled") return YES;
  if (p.state === "reportOnly") return mode === "enforced" ? NO : YES;
  if (p.state === "disabled") return mode === "all" ? YES : NO;
  // partiallyEnabled and future states: enforced for some subset we cannot tell.
  return MAYBE;
}

export interface PolicyVerdict {
  policy: CompiledPolicy;
  applies: Tri;
  /** `notSet` when it applies (or may); else the first failing condition. */
  reason: AnalysisReason;
}

/** Step A for one policy: state, users, then each signal in order; the first NO is the reason. */
export function evaluatePolicy(
  p: CompiledPolicy,
  identity: Identity,
  signIn: SignIn,
  mode: PolicyMode,
): PolicyVerdict {
  const state = stateSelected(p, mode);
  if (state === NO) return { policy: p, applies: NO, reason: "policyNotEnabled" };
  const users = p.users(identity);
  if (users === NO) return { policy: p, applies: NO, reason: "users" };
  let acc: Tri = triAnd(state, users);
  for (const d of DIMENSIONS) {
    const t = p.test(d, signIn);
    if (t === NO) return { policy: p, applies: NO, reason: reasonOf(d, signIn.target) };
    acc = triAnd(acc, t);
  }
  if (p.unmodelled.length) acc = triAnd(acc, MAYBE);
  return { policy: p, applies: acc, reason: "notSet" };
}

export interface AtomResult {
  atom: GrantAtom;
  ok: boolean;
  why: string;
  /** why it cannot be met, as data (strengths and legacy clients; other atoms say it by their kind). */
  shortfall?: AtomShortfall;
}

export interface ClauseResult {
  policyId: string;
  displayName: string;
  operator: "AND" | "OR";
  atoms: AtomResult[];
  met: boolean;
  /** false when the policy only may apply (an unmodelled condition). */
  definite: boolean;
}

export interface SessionSummary {
  signInFrequency?: "everyTime" | { hours: number };
  persistentBrowser?: "always" | "never";
  other: string[];
}

export interface Outcome {
  /** allowed: every requirement met (or none); blocked: a block policy; unsatisfiable: a grant the account cannot meet. */
  verdict: "allowed" | "blocked" | "unsatisfiable";
  /** false when the verdict rests on a policy that only may apply. */
  definite: boolean;
  blockedBy: Array<{ policyId: string; displayName: string; definite: boolean }>;
  requirements: ClauseResult[];
  /** Microsoft's mandatory MFA for admin portals and Azure management (not a CA policy). */
  mandatoryMfa?: AtomResult;
  session: SessionSummary;
}

function mergeSession(policies: CompiledPolicy[]): SessionSummary {
  const out: SessionSummary = { other: [] };
  for (const p of policies) {
    const s = p.session;
    if (!s) continue;
    // Session controls are not validated (validate.ts): a setting of another shape counts as off.
    const sif = asObject(s.signInFrequency);
    if (sif?.isEnabled) {
      // "Most restrictive" (documented but contested, docs/ca-semantics.md §2.6): everyTime beats any period.
      const hours =
        sif.frequencyInterval === "everyTime"
          ? 0
          : sif.type === "days"
            ? Number(sif.value) * 24
            : Number(sif.value);
      const cur = out.signInFrequency;
      const curHours = cur === undefined ? Infinity : cur === "everyTime" ? 0 : cur.hours;
      if (hours < curHours) out.signInFrequency = hours === 0 ? "everyTime" : { hours };
    }
    const browser = asObject(s.persistentBrowser);
    if (browser?.isEnabled)
      out.persistentBrowser =
        // Graph's mode ("always" or "never"), passed on as the policy holds it.
        out.persistentBrowser === "never" ? "never" : (browser.mode as SessionSummary["persistentBrowser"]);
    for (const k of ["applicationEnforcedRestrictions", "cloudAppSecurity", "secureSignInSession"])
      if (prop(s[k], "isEnabled") && !out.other.includes(k)) out.other.push(k);
    if (s.disableResilienceDefaults && !out.other.includes("disableResilienceDefaults"))
      out.other.push("disableResilienceDefaults");
  }
  return out;
}

/**
 * Step B: the combined outcome of the applying policies (YES or MAYBE; a MAYBE policy is taken as
 * applying, which can only add requirements: sound for must-access proofs).
 */
export function combineOutcome(
  verdicts: PolicyVerdict[],
  signIn: SignIn,
  cap: Capability | undefined,
  strengths: Map<string, StrengthDefinition>,
): Outcome {
  const applying = verdicts.filter((v) => v.applies !== NO);
  const blockedBy = applying
    .filter((v) => v.policy.grant?.block)
    .map((v) => ({ policyId: v.policy.id, displayName: v.policy.displayName, definite: v.applies === YES }));
  const session = mergeSession(applying.map((v) => v.policy));
  if (blockedBy.length) {
    return {
      verdict: "blocked",
      definite: blockedBy.some((b) => b.definite),
      blockedBy,
      requirements: [],
      session,
    };
  }
  // Registering security info: strengths of policies aimed at that user action take precedence
  // over strengths from All-resources policies (docs/ca-semantics.md §2.4).
  const registration =
    signIn.target.kind === "userAction" && signIn.target.action === "registerSecurityInformation";
  const targetsAction = (p: CompiledPolicy) =>
    (p.conditions?.applications.includeUserActions ?? []).some(
      (a) => a.toLowerCase() === USER_ACTIONS.registerSecurityInformation,
    );
  const registrationStrength =
    registration &&
    applying.some((v) => targetsAction(v.policy) && v.policy.grant?.atoms.some((a) => a.kind === "strength"));
  const requirements: ClauseResult[] = [];
  for (const v of applying) {
    const g = v.policy.grant;
    if (!g) continue;
    let atoms = g.atoms;
    if (registrationStrength && !targetsAction(v.policy) && atoms.some((a) => a.kind === "strength")) {
      // The registration policy's strength stands in for this one (and is required by its own
      // clause): an OR clause is met through it, an AND clause keeps only its other controls.
      // The built-in MFA control is not a strength and stays.
      if (g.operator === "OR") continue;
      atoms = atoms.filter((a) => a.kind !== "strength");
    }
    if (!atoms.length) continue;
    const results = atoms.map((atom) =>
      cap
        ? { atom, ...atomSatisfied(atom, cap, signIn, strengths) }
        : { atom, ok: false, why: "not evaluated" },
    );
    const met = g.operator === "OR" ? results.some((r) => r.ok) : results.every((r) => r.ok);
    requirements.push({
      policyId: v.policy.id,
      displayName: v.policy.displayName,
      operator: g.operator,
      atoms: results,
      met,
      definite: v.applies === YES,
    });
  }
  let mandatoryMfa: AtomResult | undefined;
  if (signIn.target.kind === "app" && resourceOf(signIn.target.appId).mandatoryMfa) {
    const atom: GrantAtom = { kind: "mfa" };
    mandatoryMfa = cap
      ? { atom, ...atomSatisfied(atom, cap, signIn, strengths) }
      : { atom, ok: false, why: "not evaluated" };
  }
  if (!cap) return { verdict: "allowed", definite: true, blockedBy: [], requirements, mandatoryMfa, session };
  const unmet = requirements.filter((r) => !r.met);
  if (unmet.length || (mandatoryMfa && !mandatoryMfa.ok)) {
    const definite = unmet.some((r) => r.definite) || (!!mandatoryMfa && !mandatoryMfa.ok);
    return { verdict: "unsatisfiable", definite, blockedBy: [], requirements, mandatoryMfa, session };
  }
  return { verdict: "allowed", definite: true, blockedBy: [], requirements, mandatoryMfa, session };
}

export interface Evaluation {
  policies: PolicyVerdict[];
  outcome: Outcome;
}

/** Evaluates one sign-in of one identity against every policy. */
export function evaluateSignIn(
  engine: CaEngine,
  identity: Identity,
  signIn: SignIn,
  opts: { mode?: PolicyMode; capability?: Capability } = {},
): Evaluation {
  const mode = opts.mode ?? "enforced";
  const policies = engine.policies.map((p) => evaluatePolicy(p, identity, signIn, mode));
  return { policies, outcome: combineOutcome(policies, signIn, opts.capability, engine.strengths) };
}
