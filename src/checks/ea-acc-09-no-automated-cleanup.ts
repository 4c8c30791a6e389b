import { GLOBAL_ADMINISTRATOR, norm } from "../snapshot/directory.js";
import { accountLabel, accountUsers, defineCheck, needsAccounts, sortedUnique } from "./lib/index.js";
import { evaluateSubjectRule } from "./subject-rule.js";
import type { CheckContext, EmergencyAccount, Finding } from "./types.js";

/** Lifecycle workflow tasks that disable, delete or strip an account (docs/graph-contract.md §9.2). */
export const CLEANUP_TASKS: Readonly<Record<string, string>> = {
  "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950": "Disable user account",
  "8d18588d-9ad3-4c0f-99d0-ec215f0e3dff": "Delete user account",
  "b3a31406-2a15-4c9a-b25b-a658fa5f07fc": "Remove user from all groups",
  "1953a66c-751c-45e5-8bfe-01462c70da3c": "Remove user from selected groups",
};

/** Every `query` string anywhere in an access review's scopes. */
function scopeQueries(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) scopeQueries(v, out);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      if (k === "query" && typeof v === "string") out.push(v);
      else scopeQueries(v, out);
    }
  return out;
}

/** Why an access review's scope takes an account in, or undefined. */
function reviewTakesIn(ctx: CheckContext, queries: string[], account: EmergencyAccount): string | undefined {
  const groups = ctx.directory.transitiveGroupsOf(account.id);
  const holdsGa = ctx.directory.holdingsOf(account.id).some((h) => h.roleTemplateId === GLOBAL_ADMINISTRATOR);
  for (const raw of queries) {
    const q = raw.toLowerCase();
    if (holdsGa && q.includes(GLOBAL_ADMINISTRATOR)) return "reviews Global Administrator assignments";
    const group = /\/groups\/([0-9a-f-]{36})/.exec(q)?.[1];
    if (group && groups.has(group))
      return `reviews the members of ${ctx.directory.groups.get(group)?.displayName ?? group}, which holds the account`;
    if (/^(\/(v1\.0|beta))?\/users\/?(\?|$)/.test(q)) return "reviews all users";
    if (/^(\/(v1\.0|beta))?\/groups\/?(\?|$)/.test(q) && groups.size > 0) return "reviews all groups";
  }
  if (account.id && queries.some((q) => norm(q).includes(norm(account.id)))) return "names the account";
  return undefined;
}

export const check = defineCheck(import.meta.url, {
  id: "EA-ACC-09",
  title: "No automated clean-up can disable or strip the emergency accounts",
  severity: "high",
  sources: ["001", "003"],
  needs: ["users", "groups", "accessReviewDefinitions", "lifecycleWorkflows"],
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const findings: Finding[] = [];
    const accounts = accountUsers(ctx);

    const byId = (a: { id: string }, b: { id: string }) => norm(a.id).localeCompare(norm(b.id));
    for (const r of [...(ctx.snapshot.accessReviewDefinitions ?? [])].sort(byId)) {
      if (r.status === "Completed") continue; // a finished one-off review will not run again
      const settings = r.settings ?? {};
      const decision = settings.defaultDecisionEnabled ? String(settings.defaultDecision ?? "") : "";
      const removes =
        settings.autoApplyDecisionsEnabled === true &&
        ["deny", "recommendation"].includes(decision.toLowerCase());
      if (!removes) continue;
      const queries = scopeQueries([r.scope, r.instanceEnumerationScope]);
      const inScope = accounts
        .map(({ account }) => ({ account, why: reviewTakesIn(ctx, queries, account) }))
        .filter((x) => x.why);
      if (!inScope.length) continue;
      findings.push({
        status: "fail",
        subject: { type: "resource", id: r.id, displayName: r.displayName ?? null },
        message: `Access review "${r.displayName ?? r.id}" removes access automatically (default decision ${decision}, auto-apply on) and ${inScope[0]!.why}: ${inScope.map((x) => accountLabel(x.account)).join(", ")} can lose Global Administrator without anyone deciding it`,
        evidence: {
          scopeQueries: queries,
          autoApplyDecisionsEnabled: settings.autoApplyDecisionsEnabled,
          defaultDecisionEnabled: settings.defaultDecisionEnabled ?? null,
          defaultDecision: settings.defaultDecision ?? null,
          accounts: sortedUnique(inScope.map((x) => x.account.id)),
        },
        remediation: {
          summary:
            "Exclude the emergency accounts/group from the review, or turn off auto-apply with a deny or recommendation default",
          portal:
            "Microsoft Entra admin center > Identity Governance > Access reviews > select the review > Settings",
          graph: `PUT https://graph.microsoft.com/v1.0/identityGovernance/accessReviews/definitions/${r.id} (settings.autoApplyDecisionsEnabled=false, or defaultDecision "None")`,
          powershell: `Get-MgIdentityGovernanceAccessReviewDefinition -AccessReviewScheduleDefinitionId ${r.id} | Select-Object -ExpandProperty Settings`,
        },
      });
    }

    for (const w of [...(ctx.snapshot.lifecycleWorkflows ?? [])].sort(byId)) {
      if (w.isEnabled !== true) continue;
      const tasks = (w.tasks ?? []).filter(
        (t) => t.isEnabled !== false && CLEANUP_TASKS[norm(t.taskDefinitionId)],
      );
      if (!tasks.length) continue;
      const trigger = String(w.executionConditions?.trigger?.["@odata.type"] ?? "");
      const inactivity = /userInactivityTrigger/i.test(trigger);
      if (!inactivity && w.category !== "leaver") continue;
      const rule = w.executionConditions?.scope?.rule ?? null;
      const taskNames = tasks.map((t) => CLEANUP_TASKS[norm(t.taskDefinitionId)]);
      const evidence = {
        category: w.category ?? null,
        trigger: trigger.replace(/^#microsoft\.graph\.identityGovernance\./, ""),
        scopeRule: rule,
        tasks: taskNames,
        isSchedulingEnabled: w.isSchedulingEnabled ?? null,
      };
      const remediation = {
        summary: "Narrow the workflow's scope rule so it cannot match the emergency accounts",
        portal:
          "Microsoft Entra admin center > Identity Governance > Lifecycle workflows > Workflows > select the workflow > Execution conditions",
        graph: `PATCH https://graph.microsoft.com/v1.0/identityGovernance/lifecycleWorkflows/workflows/${w.id} {"executionConditions":{…"scope":{"rule":"… and (userPrincipalName ne '…')"}}}`,
        powershell: `Get-MgIdentityGovernanceLifecycleWorkflow -WorkflowId ${w.id} | Select-Object -ExpandProperty ExecutionConditions`,
      };
      const verdicts = accounts
        .filter(({ user }) => user)
        .map(({ account, user }) => ({
          account,
          inScope: evaluateSubjectRule(rule, user as Record<string, unknown>),
        }));
      const taken = verdicts.filter((v) => v.inScope === true);
      const unclear = verdicts.filter((v) => v.inScope === undefined);
      const what = inactivity ? "an inactive-users workflow" : "a leaver workflow";
      if (taken.length)
        findings.push({
          status: "fail",
          subject: { type: "resource", id: w.id, displayName: w.displayName ?? null },
          message: `Lifecycle workflow "${w.displayName ?? w.id}" is ${what} that will ${taskNames.join(", ").toLowerCase()} and its scope takes in ${taken.map((v) => accountLabel(v.account)).join(", ")}${inactivity ? ": an emergency account is inactive by design" : ""}`,
          evidence: { ...evidence, accounts: sortedUnique(taken.map((v) => v.account.id)) },
          remediation,
        });
      if (unclear.length)
        findings.push({
          status: "warn",
          subject: { type: "resource", id: w.id, displayName: w.displayName ?? null },
          message: `Lifecycle workflow "${w.displayName ?? w.id}" is ${what} that will ${taskNames.join(", ").toLowerCase()}; whether its scope rule takes in ${unclear.map((v) => accountLabel(v.account)).join(", ")} cannot be told from the snapshot (the rule reads properties it does not carry, or is not understood)`,
          evidence: { ...evidence, accounts: sortedUnique(unclear.map((v) => v.account.id)) },
          remediation,
        });
    }
    return findings;
  },
});
