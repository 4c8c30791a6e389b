/**
 * The emergency principals as log rows see them, for the monitoring checks' alert-rule matching.
 * Typed structurally, so monitoring depends on nothing of the checks.
 */
import type { KqlEntity } from "./kql.js";

export function accountEntity(a: { id: string; userPrincipalName?: string | null }): KqlEntity {
  return { id: a.id.toLowerCase(), userPrincipalName: a.userPrincipalName ?? null, type: "User" };
}
