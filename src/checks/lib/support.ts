/**
 * Small pure helpers the checks share: licence gates, the sections role holdings come from, method
 * kinds, ids, dates and policy targets.
 */
import { isAvailable } from "../../snapshot/availability.js";
import { GLOBAL_ADMINISTRATOR, licenceTier, norm, type RoleHolding } from "../../snapshot/directory.js";
import type { AuthenticationMethod } from "../../snapshot/schema.js";
import type { CheckContext, Finding, Need, Remediation, Status, Subject } from "../types.js";

export type LicenceLevel = "p1" | "p2";

/**
 * The licence gate: the skip reason when `subscribedSkus` proves the tenant lacks the licence
 * `feature` needs; undefined when it has it or when the SKUs were not read (then the feature's data
 * decides, and `subscribedSkus` in the check's needs turns a would-be pass into `unknown`).
 */
export function lacksLicence(ctx: CheckContext, level: LicenceLevel, feature: string): string | undefined {
  const tier = licenceTier(ctx.snapshot);
  if (!tier || tier[level]) return undefined;
  return `${feature} needs Microsoft Entra ID ${level.toUpperCase()}; the tenant has none`;
}

/** true / false from subscribedSkus, undefined when they were not read. */
export function hasP2(ctx: CheckContext): boolean | undefined {
  return licenceTier(ctx.snapshot)?.p2;
}

/**
 * The snapshot sections role holdings are computed from. PIM schedules exist only with P2: where the
 * tenant provably has no P2 they cannot hold anything, so they are not needed.
 */
export function roleDataNeeds(ctx: CheckContext): Need[] {
  // Roles held through groups reach their users through the groups' members.
  const needs: Need[] = ["roleAssignments", "groups", "groups.members"];
  if (hasP2(ctx) !== false) {
    needs.push(
      "roleAssignmentSchedules",
      "roleEligibilitySchedules",
      "privilegedAccessGroupAssignmentSchedules",
      "privilegedAccessGroupEligibilitySchedules",
    );
  }
  return needs;
}

/** Who is privileged: the role holdings, and the definitions that flag custom roles privileged. */
export function privilegedUserNeeds(ctx: CheckContext): Need[] {
  return [...roleDataNeeds(ctx), "roleDefinitions"];
}

/** How an account holds Global Administrator at directory scope, in a stable order (never Graph's). */
export function globalAdminHoldings(ctx: CheckContext, userId: string): RoleHolding[] {
  return ctx.directory
    .holdersOf(GLOBAL_ADMINISTRATOR, "/")
    .filter((h) => h.userId === norm(userId))
    .sort((a, b) =>
      `${a.kind}${a.via}${a.groupId ?? ""}${a.sourceId}`.localeCompare(
        `${b.kind}${b.via}${b.groupId ?? ""}${b.sourceId}`,
      ),
    );
}

/** Whether every section role holdings come from (or the `needs` given) was read. */
export function roleDataComplete(ctx: CheckContext, needs: Need[] = roleDataNeeds(ctx)): boolean {
  return needs.every((n) => typeof n === "string" && isAvailable(ctx.snapshot, n));
}

/** `#microsoft.graph.fido2AuthenticationMethod` -> `fido2`. */
export function methodKind(m: { "@odata.type"?: string }): string {
  return (m["@odata.type"] ?? "").replace(/^#?microsoft\.graph\./, "").replace(/AuthenticationMethod$/, "");
}

/** FIDO2 methods of a list. */
export const fido2Methods = (methods: readonly AuthenticationMethod[]): AuthenticationMethod[] =>
  methods.filter((m) => methodKind(m) === "fido2");

export const idSet = (ids: Iterable<string | null | undefined>): Set<string> => {
  const out = new Set<string>();
  for (const id of ids) if (id) out.add(norm(id));
  return out;
};

export const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** Whole days between two instants (b - a). */
export const daysBetween = (a: Date, b: Date): number => Math.floor((b.getTime() - a.getTime()) / 86_400_000);

export const parseDate = (s: string | null | undefined): Date | undefined => {
  if (!s || s.startsWith("0001-01-01")) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

/** Whether a user is covered by policy targets (`all_users` or a group holding the user transitively). */
export function targetsCover(
  ctx: CheckContext,
  userId: string,
  targets: ReadonlyArray<{ id?: unknown; targetType?: unknown }> | null | undefined,
): string | undefined {
  const groups = ctx.directory.transitiveGroupsOf(userId);
  for (const t of targets ?? []) {
    const id = typeof t.id === "string" ? t.id : "";
    if (id.toLowerCase() === "all_users") return "all_users";
    if (norm(id) === norm(userId)) return `user ${id}`;
    if (groups.has(norm(id))) return `group ${ctx.directory.groups.get(norm(id))?.displayName ?? id}`;
  }
  return undefined;
}

/** The strings of a Graph list that may be missing, null or hold other values. */
export const stringList = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

const memos = new WeakMap<object, Map<string, unknown>>();

/**
 * Work a check needs more than once per run (the everyday admins, the dedicated policies...),
 * computed once per check context: the context is one snapshot and one config, so the answer
 * cannot change within it.
 */
export function memo<T>(ctx: CheckContext, key: string, compute: () => T): T {
  let m = memos.get(ctx);
  if (!m) memos.set(ctx, (m = new Map()));
  if (!m.has(key)) m.set(key, compute());
  return m.get(key) as T;
}

/** What a graded subject gets: its status and the message that says why. */
export interface Verdict {
  status: Status;
  message: string;
}

/**
 * The one finding of a graded subject (an account, a policy): the first verdict whose rule holds,
 * in order of weight (`false` or undefined where it does not), else `otherwise`. Every finding
 * carries the evidence; a fail or a warn carries the remediation too (an unknown is fixed by reading
 * the data, a pass needs nothing).
 */
export function gradeFinding(
  graded: { subject: Subject; evidence: Record<string, unknown>; remediation: Remediation },
  verdicts: ReadonlyArray<Verdict | false | undefined>,
  otherwise: Verdict,
): Finding {
  const { subject, evidence, remediation } = graded;
  const { status, message } = verdicts.find((v): v is Verdict => !!v) ?? otherwise;
  const finding: Finding = { status, subject, message, evidence };
  return status === "fail" || status === "warn" ? { ...finding, remediation } : finding;
}
