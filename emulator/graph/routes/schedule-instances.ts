/**
 * PIM schedule instances (graph-contract 2.3): the currently effective slice of each schedule.
 * "Now" is the snapshot's capturedAt (docs/snapshot.md), so answers are deterministic.
 */
import type { Wire } from "../odata/query.js";
import type { TenantStore } from "../tenant-store.js";

function scheduleWindow(s: Wire): { start: string | null; end: string | null } {
  const info = (s.scheduleInfo ?? {}) as {
    startDateTime?: string | null;
    expiration?: { type?: string; endDateTime?: string | null; duration?: string | null } | null;
  };
  const start = info.startDateTime ?? null;
  const exp = info.expiration ?? {};
  let end: string | null = null;
  if (exp.type === "afterDateTime") end = exp.endDateTime ?? null;
  else if (exp.type === "afterDuration" && start && exp.duration) {
    const ms = isoDurationMs(exp.duration);
    if (ms !== undefined) end = new Date(Date.parse(start) + ms).toISOString();
  } else if (exp.endDateTime) end = exp.endDateTime;
  return { start, end };
}

function isoDurationMs(d: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(d);
  if (!m) return undefined;
  return (
    ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 +
    Number(m[4] ?? 0) * 1000
  );
}

export function deriveInstances(store: TenantStore, kind: "assignment" | "eligibility"): Wire[] {
  const now = Date.parse(store.tenant.capturedAt);
  const source = kind === "assignment" ? store.roleAssignmentSchedules : store.roleEligibilitySchedules;
  const out: Wire[] = [];
  for (const s of source.list()) {
    const status = typeof s.status === "string" ? s.status : "Provisioned";
    if (!["Provisioned", "Granted", "ScheduleCreated"].includes(status)) continue;
    const { start, end } = scheduleWindow(s);
    if (start && Date.parse(start) > now) continue;
    if (end && Date.parse(end) <= now) continue;
    const permanentDirect =
      s.createdUsing == null &&
      (s.scheduleInfo as { expiration?: { type?: string } } | undefined)?.expiration?.type === "noExpiration";
    const base: Wire = {
      id: kind === "assignment" ? s.id : `${s.id}-e`,
      principalId: s.principalId,
      roleDefinitionId: s.roleDefinitionId,
      directoryScopeId: s.directoryScopeId ?? "/",
      appScopeId: s.appScopeId ?? null,
      // a permanent assignment made outside PIM shows no window (docs example)
      startDateTime: permanentDirect ? null : start,
      endDateTime: end,
      memberType: s.memberType ?? "Direct",
    };
    if (kind === "assignment") {
      base.assignmentType = s.assignmentType ?? "Assigned";
      base.roleAssignmentOriginId = s.id;
      base.roleAssignmentScheduleId = s.id;
    } else {
      base.roleEligibilityScheduleId = s.id;
    }
    out.push(base);
  }
  return out;
}
