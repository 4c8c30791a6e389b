/**
 * The tenant after an ARM step of the monitoring kinds, predicted in memory the way ARM applies it
 * (docs/graph-writes.md §9): PUT replaces the resource (an upsert by name), PATCH merges its
 * `properties`, DELETE removes it. The snapshot keeps ARM JSON, so the prediction is what a later
 * `export` would read, and the EA-MON checks can grade it. Pure: returns a new snapshot.
 */
import type { Snapshot } from "../../snapshot/schema.js";
import { refToken, resolveRefs, type Step } from "../types.js";

type Json = Record<string, unknown>;
type Section =
  | "diagnosticSettings"
  | "tables"
  | "actionGroups"
  | "scheduledQueryRules"
  | "sentinelAlertRules"
  | "sentinelWatchlists";

const SECTIONS: Array<[RegExp, Section, string]> = [
  [
    /^\/providers\/microsoft\.aadiam\/diagnosticsettings\/[^/]+$/i,
    "diagnosticSettings",
    "microsoft.aadiam/diagnosticSettings",
  ],
  [
    /\/providers\/microsoft\.operationalinsights\/workspaces\/[^/]+\/tables\/[^/]+$/i,
    "tables",
    "Microsoft.OperationalInsights/workspaces/tables",
  ],
  [
    /\/providers\/microsoft\.insights\/actiongroups\/[^/]+$/i,
    "actionGroups",
    "Microsoft.Insights/ActionGroups",
  ],
  [
    /\/providers\/microsoft\.insights\/scheduledqueryrules\/[^/]+$/i,
    "scheduledQueryRules",
    "Microsoft.Insights/scheduledQueryRules",
  ],
  [
    /\/providers\/microsoft\.securityinsights\/alertrules\/[^/]+$/i,
    "sentinelAlertRules",
    "Microsoft.SecurityInsights/alertRules",
  ],
  [
    /\/providers\/microsoft\.securityinsights\/watchlists\/[^/]+$/i,
    "sentinelWatchlists",
    "Microsoft.SecurityInsights/Watchlists",
  ],
];

const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

export class ArmPredictError extends Error {}

/** The `UserId` column of a watchlist's CSV (deploy writes one search-key column, no quoting). */
function csvItems(raw: unknown, skip: number): Json[] {
  if (typeof raw !== "string") return [];
  const [header, ...rows] = raw.split(/\r?\n/).slice(skip).filter(Boolean);
  const columns = (header ?? "").split(",");
  return rows.map((line, i) => {
    const values = line.split(",");
    return {
      name: `predicted-${i}`,
      properties: { itemsKeyValue: Object.fromEntries(columns.map((c, j) => [c, values[j] ?? ""])) },
    };
  });
}

export function predictArm(
  before: Snapshot,
  step: Step,
  ids: ReadonlyMap<string, string> = new Map(),
): Snapshot {
  const s = structuredClone(before);
  const req = resolveRefs(step.request, ids, refToken);
  const id = req.url.split("?")[0]!;
  const match = SECTIONS.find(([re]) => re.test(id));
  if (!match) throw new ArmPredictError(`step ${step.id}: no prediction for ${req.method} ${req.url}`);
  const [, section, type] = match;
  const azure = (s.azure ??= {}) as Record<string, unknown>;
  const list = ((azure[section] as Json[] | undefined) ?? []).slice();
  const at = list.findIndex((r) => String(r.id ?? "").toLowerCase() === id.toLowerCase());
  const existing = at >= 0 ? list[at] : undefined;
  const body = isObject(req.body) ? req.body : {};
  let next: Json | undefined;
  if (req.method === "DELETE") next = undefined;
  else if (req.method === "PATCH") {
    if (!existing && section !== "tables")
      throw new ArmPredictError(`step ${step.id}: PATCH of ${id}, which does not exist`);
    const properties = {
      ...(isObject(existing?.properties) ? existing.properties : {}),
      ...(isObject(body.properties) ? body.properties : {}),
    };
    next = { ...(existing ?? { id, name: id.split("/").pop(), type }), properties };
  } else {
    const { etag: _etag, ...rest } = body;
    const properties: Json = { ...(isObject(body.properties) ? body.properties : {}) };
    if (section === "scheduledQueryRules") properties.autoMitigate ??= true;
    next = { ...rest, id: existing?.id ?? id, name: id.split("/").pop(), type, properties };
    if (section === "sentinelWatchlists") {
      const { rawContent, ...kept } = properties;
      next.properties = { ...kept, watchlistAlias: next.name, uploadStatus: "Complete" };
      next.items =
        rawContent === undefined
          ? (existing?.items ?? [])
          : csvItems(rawContent, Number(properties.numberOfLinesToSkip ?? 0));
    }
  }
  if (section === "tables" && next) {
    const p = next.properties as Json;
    if (typeof p.retentionInDays === "number") p.retentionInDaysAsDefault = false;
  }
  if (at >= 0) {
    if (next) list[at] = next;
    else list.splice(at, 1);
  } else if (next) list.push(next);
  azure[section] = list;
  return s;
}
