/**
 * Small helpers the monitoring and policy checks share: applicability by licence and the emergency
 * principals as log rows see them.
 */
import type { CheckContext, EmergencyAccount, Subject } from "../checks/types.js";
import { licenceTier } from "../snapshot/directory.js";
import type { KqlEntity } from "./kql.js";

/**
 * Undefined when the tenant has Entra ID P1, or when the licences were not read (the check then runs
 * and `subscribedSkus` in its needs turns a would-be pass into `unknown`); else the reason to skip.
 */
export function needsP1(ctx: CheckContext, what: string): string | undefined {
  const tier = licenceTier(ctx.snapshot);
  if (tier && !tier.p1) return `the tenant has no Entra ID P1 licence, which ${what} needs`;
  return undefined;
}

export function accountEntity(a: EmergencyAccount): KqlEntity {
  return { id: a.id.toLowerCase(), userPrincipalName: a.userPrincipalName ?? null, type: "User" };
}

/** The resolved accounts in a stable order (never Graph's order). */
export function sortedAccounts(ctx: CheckContext): EmergencyAccount[] {
  return [...ctx.accounts.resolved].sort((a, b) => a.id.toLowerCase().localeCompare(b.id.toLowerCase()));
}

export function userSubject(a: EmergencyAccount): Subject {
  return { type: "user", id: a.id, displayName: a.userPrincipalName ?? a.displayName ?? null };
}
