/** EA-MON-02: the exported tables keep enough interactive retention. */
import { defineCheck, lacksLicence } from "./lib/index.js";
import { REQUIRED_CATEGORIES, TABLE_OF_CATEGORY, resolveWorkspaces } from "../monitor/alerts.js";
import { isAvailable } from "../snapshot/availability.js";
import type { Finding } from "./types.js";

interface Retention {
  workspaceId: string;
  table: string;
  interactive?: number;
  total?: number;
  /** where the interactive value comes from. */
  from: "table" | "workspace";
}

const num = (v: unknown): number | undefined => (typeof v === "number" && v > 0 ? v : undefined);

export const check = defineCheck(import.meta.url, {
  id: "EA-MON-02",
  title: "Sign-in and audit tables keep enough interactive retention",
  severity: "medium",
  sources: ["002"],
  needs: ["azure.diagnosticSettings", "azure.workspaces", "azure.tables", "subscribedSkus"],
  appliesTo: (ctx) => lacksLicence(ctx, "p1", "exporting sign-in logs"),
  evaluate(ctx) {
    const s = ctx.snapshot;
    if (!isAvailable(s, "azure.diagnosticSettings")) return [];
    const wanted = ctx.config.profile.retentionDays;
    const ws = resolveWorkspaces(s);
    const workspaces = new Map((s.azure?.workspaces ?? []).map((w) => [(w.id ?? "").toLowerCase(), w]));
    const tables = new Map((s.azure?.tables ?? []).map((t) => [(t.id ?? "").toLowerCase(), t]));
    const tablesRead = isAvailable(s, "azure.tables");
    const findings: Finding[] = [];
    for (const category of REQUIRED_CATEGORIES) {
      const table = TABLE_OF_CATEGORY[category]!;
      const subject = { type: "resource" as const, id: table, displayName: table };
      const routes = ws.routes.get(category) ?? [];
      if (routes.length === 0) {
        findings.push({
          status: "fail",
          subject,
          message: `${table} is not exported to any workspace, so nothing retains it (see EA-MON-01).`,
          evidence: { category },
          remediation: {
            summary: "Export the category first (EA-MON-01), then set the table's retention.",
          },
        });
        continue;
      }
      const candidates: Retention[] = [];
      const unreadable: string[] = [];
      for (const r of [...new Set(routes.map((x) => x.workspaceId))].sort()) {
        const w = workspaces.get(r);
        const t = tables.get(`${r}/tables/${table.toLowerCase()}`);
        const wsDays = num(w?.properties?.retentionInDays);
        const tp = (t?.properties ?? {}) as Record<string, unknown>;
        const ownDays = tp.retentionInDaysAsDefault === true ? undefined : num(tp.retentionInDays);
        if (ownDays === undefined && (wsDays === undefined || (!t && !tablesRead))) {
          unreadable.push(r);
          continue;
        }
        const interactive = ownDays ?? wsDays;
        candidates.push({
          workspaceId: r,
          table,
          interactive,
          total: num(tp.totalRetentionInDays) ?? interactive,
          from: ownDays !== undefined ? "table" : "workspace",
        });
      }
      candidates.sort(
        (a, b) => (b.interactive ?? 0) - (a.interactive ?? 0) || (b.total ?? 0) - (a.total ?? 0),
      );
      const best = candidates[0];
      const remediation = {
        summary: `Keep ${table} for at least ${wanted} days of interactive (analytics) retention.`,
        portal: `Azure portal > Log Analytics workspace > Tables > ${table} > Manage table > Interactive retention: ${wanted} days`,
        graph: `PATCH https://management.azure.com${best?.workspaceId ?? "<workspace ARM id>"}/tables/${table}?api-version=2022-10-01 {"properties":{"retentionInDays":${wanted}}}`,
        command: `az monitor log-analytics workspace table update --resource-group <rg> --workspace-name <workspace> --name ${table} --retention-time ${wanted}`,
      };
      if (best && (best.interactive ?? 0) >= wanted) {
        findings.push({
          status: "pass",
          subject,
          message: `${table} keeps ${best.interactive} days of interactive retention (${best.from === "table" ? "its own setting" : "inherited from the workspace"}).`,
          evidence: { wantedDays: wanted, ...best },
        });
      } else if (unreadable.length > 0) {
        findings.push({
          status: "unknown",
          subject,
          message: `The retention of ${table} in ${unreadable.join(", ")} could not be read.`,
          evidence: { wantedDays: wanted, unreadableWorkspaces: unreadable, readable: candidates },
        });
      } else if (best && (best.total ?? 0) >= wanted) {
        findings.push({
          status: "warn",
          subject,
          message: `${table} keeps ${best.interactive} days interactively and ${best.total} days in total: only the total reaches ${wanted} days, and long-term retention must be restored before it can be searched.`,
          evidence: { wantedDays: wanted, ...best },
          remediation,
        });
      } else {
        findings.push({
          status: "fail",
          subject,
          message: `${table} keeps ${best?.interactive ?? 0} days of interactive retention, less than ${wanted}.`,
          evidence: { wantedDays: wanted, ...best },
          remediation,
        });
      }
    }
    return findings;
  },
});
