/** EA-MON-01: Entra sign-in and audit logs reach a Log Analytics workspace. */
import { defineCheck, lacksLicence } from "./lib/index.js";
import { REQUIRED_CATEGORIES, TABLE_OF_CATEGORY, resolveWorkspaces } from "../monitor/alerts.js";
import { isAvailable } from "../snapshot/availability.js";
import type { Finding, Remediation } from "./types.js";

export const LOG_EXPORT_REMEDIATION: Remediation = {
  summary:
    "Send AuditLogs, SignInLogs and NonInteractiveUserSignInLogs to one Log Analytics workspace with an Entra diagnostic setting.",
  portal:
    "Microsoft Entra admin center > Identity > Monitoring & health > Diagnostic settings > Add diagnostic setting: tick AuditLogs, SignInLogs, NonInteractiveUserSignInLogs; Send to Log Analytics workspace",
  graph:
    'PUT https://management.azure.com/providers/microsoft.aadiam/diagnosticSettings/breakglass?api-version=2017-04-01 {"properties":{"workspaceId":"<workspace ARM id>","logs":[{"category":"AuditLogs","enabled":true},{"category":"SignInLogs","enabled":true},{"category":"NonInteractiveUserSignInLogs","enabled":true}]}}',
  command:
    'az rest --method put --url "https://management.azure.com/providers/microsoft.aadiam/diagnosticSettings/breakglass?api-version=2017-04-01" --body @diagnostic-setting.json',
};

export const check = defineCheck(import.meta.url, {
  id: "EA-MON-01",
  title: "Entra sign-in and audit logs are sent to a Log Analytics workspace",
  severity: "high",
  sources: ["000", "001", "002", "004"],
  needs: ["azure.diagnosticSettings", "azure.workspaces", "subscribedSkus"],
  appliesTo: (ctx) => lacksLicence(ctx, "p1", "exporting sign-in logs"),
  evaluate(ctx) {
    if (!isAvailable(ctx.snapshot, "azure.diagnosticSettings")) return [];
    const ws = resolveWorkspaces(ctx.snapshot);
    const findings: Finding[] = [];
    const known = isAvailable(ctx.snapshot, "azure.workspaces")
      ? new Set((ctx.snapshot.azure?.workspaces ?? []).map((w) => (w.id ?? "").toLowerCase()))
      : undefined;
    for (const category of REQUIRED_CATEGORIES) {
      const routes = ws.routes.get(category) ?? [];
      const subject = {
        type: "resource" as const,
        id: `microsoft.aadiam/${category}`,
        displayName: category,
      };
      if (routes.length === 0) {
        findings.push({
          status: "fail",
          subject,
          message: `No Entra diagnostic setting sends ${category} (table ${TABLE_OF_CATEGORY[category]}) to a Log Analytics workspace.`,
          evidence: {
            category,
            diagnosticSettings: (ctx.snapshot.azure?.diagnosticSettings ?? []).map((s) => s.name ?? s.id),
          },
          remediation: LOG_EXPORT_REMEDIATION,
        });
        continue;
      }
      const missing = known ? routes.filter((r) => !known.has(r.workspaceId)) : [];
      const status = missing.length === routes.length ? "warn" : "pass";
      findings.push({
        status,
        subject,
        message:
          status === "pass"
            ? `${category} is sent to ${routes.map((r) => r.workspaceId).join(", ")}.`
            : `${category} is sent to a workspace that is not among the readable workspaces (deleted, or in a subscription the tool cannot read).`,
        evidence: { category, routes },
        ...(status === "warn" ? { remediation: LOG_EXPORT_REMEDIATION } : {}),
      });
    }
    const signInRouted = ["SignInLogs", "NonInteractiveUserSignInLogs"].every(
      (c) => (ws.routes.get(c) ?? []).length > 0,
    );
    if (signInRouted && ws.signInWorkspaces.length === 0) {
      findings.push({
        status: "warn",
        subject: {
          type: "resource",
          id: "microsoft.aadiam/sign-in-workspace",
          displayName: "sign-in workspace",
        },
        message:
          "The two sign-in categories go to different workspaces: no workspace holds both tables, so one alert cannot watch every sign-in (EA-MON-03).",
        evidence: {
          SignInLogs: ws.routes.get("SignInLogs"),
          NonInteractiveUserSignInLogs: ws.routes.get("NonInteractiveUserSignInLogs"),
        },
        remediation: LOG_EXPORT_REMEDIATION,
      });
    }
    return findings;
  },
});
