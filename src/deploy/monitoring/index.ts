/**
 * The monitoring kinds of a plan (docs/deploy.md "Monitoring resources", steps 10-15), in apply
 * order: diagnostics, retention, actionGroup, then the rules (signinAlert and auditAlerts, or
 * sentinel). Nothing here when the configuration names no workspace. Pure.
 */
import type { KqlEntity } from "../../monitor/kql.js";
import type { Planning } from "../planning.js";
import type { Step } from "../types.js";
import { actionGroupSteps, ruleSteps } from "./alerts.js";
import { diagnosticsSteps, retentionSteps } from "./logs.js";
import { predictArm } from "./predict-arm.js";
import { monitoringTarget } from "./target.js";

/** A GUID is compared lower-case, as the logs write it; a `{{ref:...}}` stays as it is. */
const idForLogs = (id: string): string => (id.startsWith("{{") ? id : id.toLowerCase());

export function monitoringSteps(p: Planning): Step[] {
  const t = monitoringTarget(p.snapshot, p.config);
  if (!t) return [];
  const logs: Step[] = [...diagnosticsSteps(p, t), ...retentionSteps(p, t)];
  // adoption is judged on the state once logs flow to the workspace
  const after = logs.reduce((state, step) => predictArm(state, step), p.snapshot);
  const actionGroup = actionGroupSteps(p, t);
  const upnOf = new Map(p.desired.accounts.map((a) => [a.key, a.userPrincipalName]));
  const accounts: KqlEntity[] = [...p.ids.accounts.entries()]
    .map(([key, id]) => ({
      id: idForLogs(id),
      userPrincipalName: upnOf.get(key) ?? null,
      type: "User" as const,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const group: KqlEntity | undefined = p.ids.group
    ? { id: idForLogs(p.ids.group), type: "Group" }
    : undefined;
  const rules = ruleSteps(p, {
    t,
    after,
    accountIds: accounts.map((a) => a.id),
    accounts,
    ...(group ? { group } : {}),
    ...(actionGroup.id ? { actionGroupId: actionGroup.id } : {}),
  });
  // deploy's action group is kept while a rule (deploy's, or one already there) notifies it
  const agId = actionGroup.id?.toLowerCase();
  const notifies =
    agId !== undefined &&
    [
      ...rules.map((r) => r.request.body),
      ...(p.snapshot.azure?.scheduledQueryRules ?? []).map((r) => r.properties),
    ].some((body) =>
      JSON.stringify(body ?? null)
        .toLowerCase()
        .includes(agId),
    );
  return [...logs, ...(notifies ? actionGroup.steps : []), ...rules];
}
