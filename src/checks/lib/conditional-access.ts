/**
 * What the Conditional Access checks (EA-CA-01..08) share: one applicability gate, one needs list,
 * one rule for the dedicated emergency policies, the engine for a snapshot (built once), in which
 * sign-ins a policy can apply, and the `unknown` a malformed policy gives every verdict it touches.
 */
import { CaEngine } from "../../ca/engine.js";
import { type CompiledPolicy, policyHeader, type PolicyState, rawUsersCondition } from "../../ca/policy.js";
import { policyProblems } from "../../ca/validate.js";
import { eligibleRoles, explainUsers, identityOf } from "../../ca/identity.js";
import { activationTruncated, activationVariants, spaceOf } from "../../ca/prover.js";
import { blankSignIn, setCell } from "../../ca/scenarios.js";
import { NO, type Tri, YES } from "../../ca/types.js";
import { norm } from "../../snapshot/directory.js";
import { prop } from "../../snapshot/json.js";
import type { ConditionalAccessPolicy } from "../../snapshot/schema.js";
import { policySubject } from "../../snapshot/subjects.js";
import type { CheckContext, Finding, Need } from "../types.js";
import { lacksLicence, memo, roleDataNeeds, stringList } from "./support.js";

/**
 * The gate of every Conditional Access check: policies need Entra ID P1 and security defaults off
 * (with security defaults on, no policy can be in force; EA-CA-08 grades that).
 */
export function conditionalAccessGate(ctx: CheckContext): string | undefined {
  const licence = lacksLicence(ctx, "p1", "Conditional Access");
  if (licence) return licence;
  if (ctx.snapshot.securityDefaults?.isEnabled === true)
    return "security defaults are on, so no Conditional Access policy can be in force (see EA-CA-08)";
  return undefined;
}

/**
 * The gate of the checks that grade the dedicated policy: skipped when there is none (EA-CA-02 fails
 * then), unless a malformed policy may be it (the check then says unknown).
 */
export function dedicatedPolicyGate(ctx: CheckContext): string | undefined {
  const gate = conditionalAccessGate(ctx);
  if (gate) return gate;
  if (!ctx.snapshot.conditionalAccessPolicies || principalsUnknown(ctx, "dedicated")) return undefined;
  if (dedicatedPolicies(ctx).policies.length === 0 && malformedDedicated(ctx).length === 0)
    return "there is no dedicated policy (EA-CA-02 fails)";
  return undefined;
}

/** What the gate and the policies are read from: every Conditional Access check needs them. */
export const CA_NEEDS: Need[] = ["conditionalAccessPolicies", "subscribedSkus", "securityDefaults"];

/**
 * The needs of the checks that run the engine: who a policy reaches comes from the users, groups and
 * role holdings, where it applies from the named locations.
 */
export function engineNeeds(ctx: CheckContext): Need[] {
  return ["users", "namedLocations", ...roleDataNeeds(ctx)];
}

/** The engine for a check context, built once per run. */
export const engineFor = (ctx: CheckContext): CaEngine =>
  memo(ctx, "ca:engine", () => new CaEngine(ctx.snapshot, ctx.directory));

/** The emergency principals: the resolved accounts and the emergency group (lower-case ids). */
export function emergencyPrincipals(ctx: CheckContext): { users: Set<string>; groups: Set<string> } {
  return {
    users: new Set(ctx.accounts.resolved.map((a) => norm(a.id))),
    groups: new Set(ctx.accounts.group ? [norm(ctx.accounts.group.id)] : []),
  };
}

const SPECIAL_USERS = new Set(["all", "none", "guestsorexternalusers"]);

/**
 * The ids a policy's users condition names, list by list, as written (a missing or malformed list
 * is empty), and whether it names guests or external users. `users` may be a malformed policy's.
 */
export function userLists(users: unknown) {
  const list = (key: string) => stringList(prop(users, key));
  const named = (key: string) => (prop(users, key) ?? null) !== null;
  return {
    includeUsers: list("includeUsers"),
    excludeUsers: list("excludeUsers"),
    includeGroups: list("includeGroups"),
    excludeGroups: list("excludeGroups"),
    includeRoles: list("includeRoles"),
    excludeRoles: list("excludeRoles"),
    includesGuests: named("includeGuestsOrExternalUsers"),
    excludesGuests: named("excludeGuestsOrExternalUsers"),
  };
}

/** Whose users are only emergency principals: no All, roles, guests or other users and groups. */
export function includesOnlyEmergencyPrincipals(usersCondition: unknown, ctx: CheckContext): boolean {
  const u = userLists(usersCondition);
  const { users, groups } = emergencyPrincipals(ctx);
  const includeUsers = u.includeUsers.map(norm);
  const includeGroups = u.includeGroups.map(norm);
  if (includeUsers.length + includeGroups.length === 0) return false;
  if (u.includeRoles.length > 0 || u.includesGuests) return false;
  if (includeUsers.some((x) => SPECIAL_USERS.has(x) || !users.has(x))) return false;
  return includeGroups.every((g) => groups.has(g));
}

export interface DedicatedPolicies {
  policies: ConditionalAccessPolicy[];
  how: "config" | "found";
  /** configured ids that match no policy. */
  missingIds: string[];
  /** lower-case ids of `policies`. */
  ids: ReadonlySet<string>;
}

/**
 * The dedicated policies: those in `dedicatedPolicyIds`, else every policy (any state) whose users
 * are only emergency principals. Malformed policies are never taken as dedicated (see `malformed`).
 */
export const dedicatedPolicies = (ctx: CheckContext): DedicatedPolicies =>
  memo(ctx, "ca:dedicated", () => {
    const bad = malformedIds(ctx);
    const all = [...(ctx.snapshot.conditionalAccessPolicies ?? [])]
      .filter((p) => !bad.has(norm(p.id)))
      .sort((a, b) => norm(a.id).localeCompare(norm(b.id)));
    const configured = ctx.config.dedicatedPolicyIds.map(norm);
    const found =
      configured.length > 0
        ? { policies: all.filter((p) => configured.includes(norm(p.id))), how: "config" as const }
        : {
            policies: all.filter((p) => includesOnlyEmergencyPrincipals(p.conditions?.users, ctx)),
            how: "found" as const,
          };
    const ids = new Set(found.policies.map((p) => norm(p.id)));
    const missingIds = configured.filter((id) => !ids.has(id) && !bad.has(id));
    return { ...found, missingIds, ids };
  });

/**
 * Unknown when no emergency principal is known. `accounts`: the check grades accounts, so it needs
 * one resolved; `dedicated`: it grades the dedicated policy, which the group or configured ids
 * identify too.
 */
export function principalsUnknown(ctx: CheckContext, grades: "accounts" | "dedicated"): Finding | undefined {
  if (ctx.accounts.resolved.length > 0) return undefined;
  if (grades === "dedicated" && (ctx.accounts.group || ctx.config.dedicatedPolicyIds.length))
    return undefined;
  return {
    status: "unknown",
    message:
      grades === "dedicated"
        ? "No emergency account or group is known, so the dedicated policy cannot be identified."
        : "No emergency account is resolved (EA-ACC-01 says why), so no account can be graded.",
  };
}

/** A policy the checks and the engine cannot interpret, with what is wrong (validate.ts). */
export type MalformedPolicy = Pick<CompiledPolicy, "id" | "displayName" | "state" | "raw" | "invalid">;

/** The malformed policies of the snapshot, read once per run (without building the engine). */
export const malformedPolicies = (ctx: CheckContext): MalformedPolicy[] =>
  memo(ctx, "ca:malformed", () =>
    ((ctx.snapshot.conditionalAccessPolicies ?? []) as Array<Record<string, unknown>>)
      .map((raw) => ({ ...policyHeader(raw), raw, invalid: policyProblems(raw) }))
      .filter((p) => p.invalid.length > 0)
      .sort((a, b) => a.id.localeCompare(b.id)),
  );

function malformedIds(ctx: CheckContext): Set<string> {
  return new Set(malformedPolicies(ctx).map((p) => p.id));
}

/**
 * An `unknown` finding for every malformed policy a check interprets (the policies `inScope` keeps),
 * so a policy with `conditions: null` or an unknown control is never silently ignored.
 */
export function malformedFindings(
  ctx: CheckContext,
  what: string,
  inScope: (p: MalformedPolicy) => boolean = () => true,
): Finding[] {
  return malformedPolicies(ctx)
    .filter(inScope)
    .map((p) => ({
      status: "unknown" as const,
      subject: policySubject({ id: String(p.raw.id ?? p.id), displayName: p.displayName }),
      message: `Policy "${p.displayName}" is malformed (${p.invalid.join("; ")}), so ${what} cannot be told`,
      evidence: { policyId: p.id, problems: p.invalid },
    }));
}

/**
 * `unknown` findings for the malformed policies that may be dedicated ones (a configured id, or users
 * that cannot be read or are emergency-only): what the checks of the dedicated policy say could
 * differ with them.
 */
export function malformedDedicated(ctx: CheckContext): Finding[] {
  const configured = ctx.config.dedicatedPolicyIds.map(norm);
  return malformedFindings(ctx, "whether it is a dedicated emergency policy, or how that grades", (p) => {
    if (configured.length) return configured.includes(p.id);
    const usersUnreadable = p.invalid.some((x) => /^conditions(\.users)?[.:]/.test(x));
    return usersUnreadable || includesOnlyEmergencyPrincipals(rawUsersCondition(p), ctx);
  });
}

/**
 * An account's identities under every combination of its eligible roles activated (a role
 * exclusion can hide another role's inclusion), and whether the combinations were cut short.
 */
export const activationIdentities = (ctx: CheckContext, userId: string) =>
  memo(ctx, `ca:identities:${norm(userId)}`, () => {
    const eligible = eligibleRoles(ctx.directory, userId);
    return {
      variants: activationVariants(engineFor(ctx), eligible).map((activated) => ({
        activated,
        identity: identityOf(ctx.directory, userId, { activated }),
      })),
      truncated: activationTruncated(engineFor(ctx), eligible),
    };
  });

/**
 * The policies besides the dedicated and allowed ones whose state `inState` keeps (in force, or
 * dormant): the readable ones compiled, and an `unknown` finding for each malformed one, saying that
 * `what` cannot be told.
 */
export function otherPolicies(
  ctx: CheckContext,
  inState: (state: PolicyState) => boolean,
  what: string,
): { policies: CompiledPolicy[]; malformed: Finding[] } {
  const dedicated = dedicatedPolicies(ctx).ids;
  const allowed = new Set(ctx.config.allowedPolicyIds.map(norm));
  const inScope = (p: MalformedPolicy) => inState(p.state) && !dedicated.has(p.id) && !allowed.has(p.id);
  return {
    policies: engineFor(ctx).policies.filter((p) => inScope(p) && !p.invalid.length),
    malformed: malformedFindings(ctx, what, inScope),
  };
}

/** A policy that reaches an account, and how. */
export interface Reach {
  policy: CompiledPolicy;
  /** the eligible roles activated in the first identity its users take in (none: as the account is). */
  activated: string[];
  /** how the account is pulled in ("via group G, nested in H"). */
  path: string;
  /** YES when it applies in some sign-in, MAYBE when it may. */
  where: Tri;
}

/**
 * The policies (in their order) whose users take the account in, under some combination of its
 * eligible roles activated, and that apply in some sign-in of the whole space; and whether the
 * combinations were cut short (then more may reach it).
 */
export function policiesReaching(
  ctx: CheckContext,
  accountId: string,
  policies: readonly CompiledPolicy[],
): { reached: Reach[]; truncated: boolean } {
  const { variants, truncated } = activationIdentities(ctx, accountId);
  const reached: Reach[] = [];
  for (const policy of policies) {
    const hit = variants.find((v) => policy.users(v.identity) !== NO);
    if (!hit) continue;
    const where = appliesSomewhere(ctx, policy);
    if (where === NO) continue;
    const path =
      explainUsers(
        ctx.directory,
        policy.conditions?.users,
        hit.identity,
        "include",
        new Set(hit.activated),
      ) ?? "";
    reached.push({ policy, activated: hit.activated, path, where });
  }
  return { reached, truncated };
}

/**
 * Whether a policy (its users already matching) applies in some sign-in of the whole space:
 * dimensions are independent, so it does iff every dimension has a cell it does not rule out.
 */
export function appliesSomewhere(ctx: CheckContext, policy: CompiledPolicy): Tri {
  const dims = spaceOf(engineFor(ctx), ctx.config.profile.envelope, true);
  const s = blankSignIn();
  let out: Tri = policy.unmodelled.length ? 2 : YES;
  for (const { dimension, cells } of dims) {
    let best: Tri = NO;
    for (const c of cells) {
      setCell(s, dimension, c.value);
      const t = policy.test(dimension, s);
      if (t === YES) {
        best = YES;
        break;
      }
      if (t !== NO) best = t;
    }
    if (best === NO) return NO;
    if (best !== YES) out = best;
  }
  return out;
}
