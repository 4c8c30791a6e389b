import type { Snapshot } from "./schema.js";

interface AlertRuleProperties {
  criteria?: { allOf?: Array<{ query?: unknown }> };
  query?: unknown;
}

/** Every alert query text of the snapshot (Azure Monitor and Sentinel). */
export function alertQueries(snapshot: Snapshot): string[] {
  const out: string[] = [];
  for (const rule of snapshot.azure?.scheduledQueryRules ?? []) {
    const criteria = (rule.properties as AlertRuleProperties | undefined)?.criteria?.allOf;
    if (Array.isArray(criteria))
      for (const c of criteria) if (typeof c?.query === "string") out.push(c.query);
  }
  for (const rule of snapshot.azure?.sentinelAlertRules ?? []) {
    const q = (rule.properties as AlertRuleProperties | undefined)?.query;
    if (typeof q === "string") out.push(q);
  }
  return out;
}
