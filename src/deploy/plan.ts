/**
 * Deriving a plan: desired state (the config) vs the tenant (a snapshot), kind by kind in apply
 * order, into the ordered steps. Pure: the same snapshot and config always give the same steps,
 * which is what lets `apply plan.json` refuse a plan a fresh derivation does not reproduce.
 */
import type { Config } from "../config/schema.js";
import { Directory } from "../snapshot/directory.js";
import type { Snapshot } from "../snapshot/schema.js";
import * as accounts from "./accounts.js";
import * as activate from "./activate.js";
import * as au from "./au.js";
import { hashOf } from "./canonical.js";
import { fingerprintsOf, planIdOf } from "./plan-file.js";
import { desiredState, PlanReadError } from "./desired.js";
import { unavailableReason } from "../snapshot/availability.js";
import { type Enrollment, enrollmentOf } from "./enrollment.js";
import * as exclusions from "./exclusions.js";
import * as group from "./group.js";
import * as methods from "./methods.js";
import { monitoringSteps } from "./monitoring/index.js";
import type { Planning } from "./planning.js";
import * as policy from "./policy.js";
import * as role from "./role.js";
import * as strength from "./strength.js";
import {
  isChange,
  PLAN_SCHEMA,
  type PlanFile,
  RESOURCE_KINDS,
  type ResourceKind,
  type ManualStep,
  type Step,
} from "./types.js";

export interface DerivedPlan {
  steps: Step[];
  enrollment: Enrollment;
  /** what Graph cannot do, shown with its portal path (not changes). */
  manual: ManualStep[];
}

export interface PlanOptions {
  /** `--target`: only these kinds' steps (every kind is still read, so references resolve). */
  targets?: readonly ResourceKind[];
}

/** What a plan reads: a plan made without one of them could miss a step (never a false "No changes."). */
const NEEDED = [
  "domains",
  "users",
  "groups",
  "conditionalAccessPolicies",
  "authenticationStrengthPolicies",
  "authenticationMethodsPolicy",
  "authorizationPolicy",
  "roleAssignments",
  "roleAssignmentSchedules",
  "roleEligibilitySchedules",
];

/** Throws PlanReadError (exit 3) naming every read the plan needs that is unavailable. */
export function requireReadable(snapshot: Snapshot, config: Config, directory: Directory): void {
  const paths = [...NEEDED, ...(config.profile.restrictedAU ? ["administrativeUnits"] : [])];
  for (const ref of config.accounts ?? []) {
    const user = directory.user(ref.trim());
    if (user) paths.push(`users[${user.id}].authenticationMethods`, `users[${user.id}].perUserMfaState`);
  }
  const missing = paths
    .map((path) => [path, unavailableReason(snapshot, path)] as const)
    .filter(([, reason]) => reason !== undefined)
    .map(([path, reason]) => `${path} (${reason})`);
  if (missing.length) throw new PlanReadError(`cannot plan: the tenant read lacks ${missing.join("; ")}`);
}

export function derivePlan(snapshot: Snapshot, config: Config, options: PlanOptions = {}): DerivedPlan {
  const directory = new Directory(snapshot);
  requireReadable(snapshot, config, directory);
  const desired = desiredState(snapshot, config, directory);
  const p: Planning = {
    snapshot,
    config,
    profile: config.profile,
    directory,
    desired,
    ids: { accounts: new Map() },
    enrollment: { accounts: [], complete: false },
  };
  const out: Step[] = [];

  const accountsActual = accounts.read(p);
  p.ids.accounts = accounts.idsOf(accountsActual);
  out.push(...accounts.steps(accounts.diff(p, accountsActual)));

  const groupDiff = group.diff(p, group.read(p));
  p.ids.group = group.idOf(groupDiff);
  out.push(...group.steps(groupDiff));

  const policyActual = policy.read(p);
  const strengthActual = strength.read(p, policyActual.policy?.grantControls?.authenticationStrength?.id);
  const models = strength.desiredAaguids(p, accountsActual, strengthActual.strength);
  p.enrollment = enrollmentOf(
    accountsActual.map((a) => ({
      key: a.account.key,
      userPrincipalName: a.account.userPrincipalName,
      user: a.user,
    })),
    models,
    p.profile.keysPerAccount,
  );
  const strengthDiff = strength.diff(p, strengthActual, models);
  p.ids.strength = strength.idOf(strengthDiff);
  out.push(...strength.steps(strengthDiff));

  const policyDiff = policy.diff(p, policyActual, p.ids.group, p.ids.strength);
  p.ids.policy = policy.idOf(policyDiff);
  out.push(...policy.steps(policyDiff));

  out.push(...exclusions.steps(exclusions.diff(exclusions.read(p, policyActual.policy?.id), p.ids.group)));

  const keyModels = [
    ...new Set([
      ...(models ?? []),
      ...p.enrollment.accounts.flatMap((a) => a.keys.map((k) => (k.aaGuid ?? "").toLowerCase())),
    ]),
  ]
    .filter(Boolean)
    .sort();
  out.push(...methods.steps(methods.diff(p, methods.read(p, accountsActual), p.ids.group, keyModels)));

  out.push(...monitoringSteps(p));

  // before the restricted unit: afterwards the app cannot reset the accounts' passwords
  out.push(...accounts.deliverySteps(p, accountsActual, p.enrollment));

  out.push(...activate.steps(activate.diff(policyDiff, p.ids.policy), p));

  const groupLabel = groupDiff.displayName ?? groupDiff.group?.displayName ?? p.ids.group;
  out.push(...role.steps(role.diff(p, role.principals(p, groupLabel)), p));

  out.push(...au.steps(au.diff(p, au.read(p)), p));

  const targets = options.targets?.length ? new Set(options.targets) : undefined;
  const manual = methods.manualSteps(groupLabel ?? "the emergency group");
  return {
    steps: targets ? out.filter((s) => targets.has(s.kind)) : out,
    enrollment: p.enrollment,
    manual: targets ? manual.filter((m) => targets.has(m.kind)) : manual,
  };
}

/** Display names of the objects a plan can mention by id (groups, users, policies, strengths). */
export function objectNames(snapshot: Snapshot): Map<string, string> {
  const out = new Map<string, string>();
  for (const g of snapshot.groups ?? []) if (g.displayName) out.set(g.id.toLowerCase(), g.displayName);
  for (const u of snapshot.users ?? [])
    if (u.userPrincipalName) out.set(u.id.toLowerCase(), u.userPrincipalName);
  for (const x of [
    ...(snapshot.conditionalAccessPolicies ?? []),
    ...(snapshot.authenticationStrengthPolicies ?? []),
  ])
    if (x.displayName) out.set(x.id.toLowerCase(), x.displayName);
  return out;
}

export interface PlanSummary {
  create: number;
  update: number;
  destroy: number;
  waiting: number;
}

export function summarize(steps: readonly Step[]): PlanSummary {
  const out: PlanSummary = { create: 0, update: 0, destroy: 0, waiting: 0 };
  for (const s of steps) {
    if (!isChange(s)) out.waiting++;
    else out[s.action]++;
  }
  return out;
}

export const hasChanges = (steps: readonly Step[]): boolean => steps.some(isChange);

/** The configuration's hash: canonical JSON of the parsed config, defaults filled in. */
export const configHash = (config: Config): string => hashOf(config);

export function planFile(input: {
  snapshot: Snapshot;
  config: Config;
  steps: Step[];
  targets?: readonly ResourceKind[];
  createdAt: Date;
}): PlanFile {
  const targets = input.targets?.length ? [...input.targets] : [...RESOURCE_KINDS];
  const tenant = { id: input.snapshot.tenant.id, displayName: input.snapshot.tenant.displayName ?? null };
  const cfg = configHash(input.config);
  return {
    schema: PLAN_SCHEMA,
    id: planIdOf({ steps: input.steps, configHash: cfg, tenant, targets }),
    createdAt: input.createdAt.toISOString(),
    tenant,
    readAt: input.snapshot.tenant.capturedAt,
    configHash: cfg,
    targets,
    steps: input.steps,
    fingerprints: fingerprintsOf(input.steps),
  };
}
