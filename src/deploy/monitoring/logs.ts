/**
 * diagnostics and retention (docs/deploy.md steps 10-11).
 *
 * - diagnostics: Entra's diagnostic settings (`microsoft.aadiam`) must send `AuditLogs`,
 *   `SignInLogs` and `NonInteractiveUserSignInLogs` to the workspace. ARM PUT replaces a setting
 *   whole, so the missing categories are merged into the setting that already sends to the
 *   workspace and everything else is sent back as read; with none, a new setting is made. A setting
 *   to another destination is never touched.
 * - retention: the interactive retention of the three tables raised to `profile.retentionDays`
 *   where lower (never lowered), by PATCH of the table (a long-running ARM operation).
 */
import { categoryEnabled, REQUIRED_CATEGORIES } from "../../monitor/alerts.js";
import type { ArmResource } from "../../snapshot/schema.js";
import type { Planning } from "../planning.js";
import { fingerprint, makeStep } from "../step.js";
import type { PropertyChange, Step } from "../types.js";
import {
  ARM_WRITE_VERSIONS,
  armProperties,
  findArm,
  type MonitoringTarget,
  RETAINED_TABLES,
} from "./target.js";

type Json = Record<string, unknown>;
const lower = (s: unknown) => String(s ?? "").toLowerCase();

/** The longest interactive retention a table takes (docs/graph-writes.md §9). */
const MAX_INTERACTIVE_DAYS = 730;

export function diagnosticsSteps(p: Planning, t: MonitoringTarget): Step[] {
  const settings = [...(p.snapshot.azure?.diagnosticSettings ?? [])].sort((a, b) =>
    lower(a.name ?? a.id).localeCompare(lower(b.name ?? b.id)),
  );
  const toWorkspace = settings.filter((s) => lower(armProperties(s).workspaceId) === lower(t.workspaceId));
  const routed = (c: string) => toWorkspace.some((s) => categoryEnabled(armProperties(s).logs, c));
  const missing = REQUIRED_CATEGORIES.filter((c) => !routed(c));
  if (missing.length === 0) return [];

  const configured = p.config.azure.diagnosticSetting ?? `${t.prefix}-entra-logs`;
  const taken = settings.some((s) => lower(s.name) === lower(configured));
  const setting: ArmResource | undefined = toWorkspace[0];
  const name = setting?.name ?? (taken ? `${configured}-${t.workspaceId.split("/").pop()}` : configured);
  const before = armProperties(setting);
  const logs = Array.isArray(before.logs) ? (before.logs as Json[]).map((l) => ({ ...l })) : [];
  const changes: PropertyChange[] = [];
  for (const category of missing) {
    const entry = logs.find((l) => lower(l.category) === lower(category));
    changes.push({ property: `logs.${category}.enabled`, old: entry?.enabled, new: true });
    if (entry) entry.enabled = true;
    else logs.push({ category, enabled: true });
  }
  const properties = setting ? { ...before, logs } : { workspaceId: t.workspaceId, logs };
  const ref = {
    type: "diagnosticSetting" as const,
    key: name,
    name,
    ...(setting?.id ? { id: setting.id } : {}),
  };
  return [
    makeStep({
      id: `diagnostics.${name.toLowerCase()}`,
      kind: "diagnostics",
      action: setting ? "update" : "create",
      objectRef: ref,
      summary: `${setting ? "update" : "create"} Entra diagnostic setting ${name}: send ${missing.join(", ")} to workspace ${t.workspaceId.split("/").pop()}`,
      changes,
      request: {
        service: "arm",
        method: "PUT",
        url: `/providers/microsoft.aadiam/diagnosticSettings/${encodeURIComponent(name)}?api-version=${ARM_WRITE_VERSIONS.diagnosticSettings}`,
        body: { properties },
      },
      dependsOn: [fingerprint(ref, setting ? before : undefined)],
      satisfies: ["EA-MON-01"],
      risk: "A service principal needs an Azure role at /providers/microsoft.aadiam to write this (docs/monitoring.md §1).",
    }),
  ];
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

export function retentionSteps(p: Planning, t: MonitoringTarget): Step[] {
  const wanted = Math.min(p.profile.retentionDays, MAX_INTERACTIVE_DAYS);
  const workspaceDays = num(armProperties(t.workspace).retentionInDays) ?? 30;
  const out: Step[] = [];
  for (const table of RETAINED_TABLES) {
    const id = `${t.workspaceId}/tables/${table}`;
    const found = findArm(p.snapshot.azure?.tables, id);
    const tp = armProperties(found);
    const own = tp.retentionInDaysAsDefault === true ? undefined : num(tp.retentionInDays);
    const current = own ?? workspaceDays;
    if (current >= wanted) continue;
    const total = num(tp.totalRetentionInDays);
    const properties: Json = { retentionInDays: wanted };
    const changes: PropertyChange[] = [{ property: "retentionInDays", old: current, new: wanted }];
    if (total !== undefined && total < wanted && tp.totalRetentionInDaysAsDefault !== true) {
      properties.totalRetentionInDays = wanted;
      changes.push({ property: "totalRetentionInDays", old: total, new: wanted });
    }
    const ref = { type: "workspaceTable" as const, key: table, name: table, id: found?.id ?? id };
    out.push(
      makeStep({
        id: `retention.${table.toLowerCase()}`,
        kind: "retention",
        action: "update",
        objectRef: ref,
        summary: `keep ${table} for ${wanted} days of interactive retention (now ${current})`,
        changes,
        request: {
          service: "arm",
          method: "PATCH",
          url: `${ref.id}?api-version=${ARM_WRITE_VERSIONS.tables}`,
          body: { properties },
        },
        dependsOn: [fingerprint(ref, { retentionInDays: tp.retentionInDays ?? null, workspaceDays })],
        satisfies: ["EA-MON-02"],
        ...(p.profile.retentionDays > MAX_INTERACTIVE_DAYS
          ? {
              risk: `profile.retentionDays ${p.profile.retentionDays} is above the ${MAX_INTERACTIVE_DAYS} days a table keeps interactively`,
            }
          : {}),
      }),
    );
  }
  return out;
}
