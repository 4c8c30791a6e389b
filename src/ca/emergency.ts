/**
 * What the EA-CA checks share: when they apply, the engine for a snapshot (built once), the
 * dedicated emergency policies (checks.md "EA-CA"), and in which sign-ins a policy can apply.
 */
import type { CheckContext } from "../checks/types.js";
import { licenceTier, norm } from "../snapshot/directory.js";
import type { Snapshot } from "../snapshot/schema.js";
import { CaEngine } from "./engine.js";
import type { CompiledPolicy } from "./policy.js";
import { spaceOf } from "./prover.js";
import { blankSignIn } from "./scenarios.js";
import { NO, type Tri, YES } from "./types.js";

const engines = new WeakMap<Snapshot, CaEngine>();

export function engineFor(ctx: CheckContext): CaEngine {
  let e = engines.get(ctx.snapshot);
  if (!e) {
    e = new CaEngine(ctx.snapshot, ctx.directory);
    engines.set(ctx.snapshot, e);
  }
  return e;
}

/** checks.md: Conditional Access checks need Entra ID P1 and security defaults off. */
export function caNotApplicable(ctx: CheckContext): string | undefined {
  const tier = licenceTier(ctx.snapshot);
  if (tier && !tier.p1)
    return "Conditional Access needs Entra ID P1, and the tenant has none (subscribedSkus)";
  if (ctx.snapshot.securityDefaults?.isEnabled === true)
    return "security defaults are on, so no Conditional Access policy can be in force";
  if (!ctx.accounts.resolved.length) return "no emergency account is resolved (EA-ACC-01 says why)";
  return undefined;
}

export const CA_NEEDS = [
  "conditionalAccessPolicies",
  "namedLocations",
  "groups",
  "roleAssignments",
  "subscribedSkus",
];

/**
 * The dedicated policies: `dedicatedPolicyIds`, else every policy whose users include only
 * emergency principals (the accounts or the group; no All, roles, guests or other users).
 */
export function dedicatedPolicyIds(ctx: CheckContext): Set<string> {
  if (ctx.config.dedicatedPolicyIds.length) return new Set(ctx.config.dedicatedPolicyIds.map(norm));
  const accounts = new Set(ctx.accounts.resolved.map((a) => norm(a.id)));
  const group = ctx.accounts.group ? norm(ctx.accounts.group.id) : undefined;
  const out = new Set<string>();
  for (const p of (ctx.snapshot.conditionalAccessPolicies ?? []) as Array<Record<string, any>>) {
    const u = p.conditions?.users ?? {};
    const users = ((u.includeUsers as string[] | undefined) ?? []).map(norm);
    const groups = ((u.includeGroups as string[] | undefined) ?? []).map(norm);
    const roles = (u.includeRoles as string[] | undefined) ?? [];
    if (roles.length || u.includeGuestsOrExternalUsers) continue;
    if (!users.length && !groups.length) continue;
    if (!users.every((x) => accounts.has(x))) continue;
    if (!groups.every((g) => g === group)) continue;
    out.add(norm(p.id));
  }
  return out;
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
      (s as any)[dimension] = c.value;
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
