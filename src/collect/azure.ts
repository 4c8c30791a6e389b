/**
 * The ARM side of `export`: every readable subscription's monitoring resources (docs/monitoring.md §1-5),
 * kept as ARM returns them. Reads go in dependency waves: subscriptions and the tenant-level
 * Entra diagnostic settings; then each subscription's workspaces, log alert rules and action groups;
 * then each workspace's tables and Sentinel rules and watchlists, and the alerts the sign-in rules
 * raised (the Azure Monitor alerts API); then watchlist items.
 */
import type { ArmApi, ArmObject, ReadError } from "../graph/index.js";
import { AZURE_SECTIONS, type AzureSection } from "../snapshot/schema.js";
import { AZURE_READS } from "./permissions.js";

/** A 403 names the RBAC role and scope the read needs (permissions.ts). */
function armReason(path: string, error: ReadError): string {
  if (error.status !== 403) return error.message;
  const need = AZURE_READS.find((r) => r.path === path);
  return need
    ? `403 Forbidden: ${need.role} at ${need.scope} not granted (${error.code ?? "AuthorizationFailed"})`
    : error.message;
}

export const ARM_API_VERSIONS = {
  subscriptions: "2022-12-01",
  diagnosticSettings: "2017-04-01",
  workspaces: "2023-09-01",
  tables: "2022-10-01",
  scheduledQueryRules: "2023-12-01",
  actionGroups: "2023-01-01",
  sentinel: "2024-09-01",
  /** the alerts API (Microsoft.AlertsManagement/alerts) */
  alerts: "2019-05-05-preview",
} as const;

/**
 * How far back the alerts API answers: `timeRange` takes 1h, 1d, 7d or 30d (default 1d), and a
 * custom range must lie within the last 30 days.
 */
export const ALERTS_TIME_RANGE = "30d";

/** The sign-in tables: a log search rule over one of them watches sign-ins (docs/monitoring.md). */
const SIGN_IN_TABLES = /\b(SigninLogs|AADNonInteractiveUserSignInLogs)\b/i;

/** A log search rule whose query reads a sign-in table: its alerts are those of the sign-in alert. */
export function watchesSignIns(rule: ArmObject): boolean {
  const criteria = (rule.properties as { criteria?: { allOf?: Array<{ query?: unknown }> } } | undefined)
    ?.criteria;
  return (criteria?.allOf ?? []).some((c) => typeof c.query === "string" && SIGN_IN_TABLES.test(c.query));
}

/** The tables whose retention matters for break-glass monitoring (docs/snapshot.md). */
export const MONITORED_TABLES = ["SigninLogs", "AADNonInteractiveUserSignInLogs", "AuditLogs"];

export interface AzureCollection {
  /** filled as reads complete; a section is absent when its read failed (see `unavailable`). */
  azure: Record<string, ArmObject[]>;
  unavailable: Record<string, string>;
  /** resolves when the alert rules (Azure Monitor and Sentinel) are in: they name subjects. */
  rules: Promise<void>;
  /** resolves when everything is read. */
  done: Promise<void>;
}

type Section = AzureSection;

/** The sections read inside each subscription: all but the subscriptions and Entra's own settings. */
const BELOW_SUBSCRIPTIONS = AZURE_SECTIONS.filter((s) => s !== "subscriptions" && s !== "diagnosticSettings");

export function collectAzure(
  arm: ArmApi,
  onProgress: (path: string) => void = () => undefined,
  /** config `azure.subscriptionIds`: only these (default: every subscription the credential reads). */
  onlySubscriptions: string[] = [],
): AzureCollection {
  const azure: Record<string, ArmObject[]> = {};
  const unavailable: Record<string, string> = {};
  const fail = (section: Section, error: ReadError | string) => {
    const key = `azure.${section}`;
    unavailable[key] ??= typeof error === "string" ? error : armReason(key, error);
    delete azure[section];
  };
  const add = (section: Section, items: ArmObject[]) => {
    if (unavailable[`azure.${section}`]) return;
    (azure[section] ??= []).push(...items);
  };
  const listInto = async (section: Section, path: string) => {
    const r = await arm.list(path);
    if (r.ok) add(section, r.items);
    else fail(section, r.error);
    onProgress(`azure.${section}`);
    return r;
  };
  const v = ARM_API_VERSIONS;

  const diagnostics = listInto(
    "diagnosticSettings",
    `/providers/microsoft.aadiam/diagnosticSettings?api-version=${v.diagnosticSettings}`,
  );

  let rulesDone!: () => void;
  const rules = new Promise<void>((resolve) => (rulesDone = resolve));
  const main = (async () => {
    const subs = await arm.list(`/subscriptions?api-version=${v.subscriptions}`);
    onProgress("azure.subscriptions");
    if (!subs.ok) {
      fail("subscriptions", subs.error);
      const reason = `not read: azure.subscriptions unavailable (${unavailable["azure.subscriptions"]})`;
      for (const s of BELOW_SUBSCRIPTIONS) fail(s, reason);
      return;
    }
    const wanted = new Set(onlySubscriptions.map((s) => s.toLowerCase()));
    const items = wanted.size
      ? subs.items.filter((s) => wanted.has(String(s.subscriptionId).toLowerCase()))
      : subs.items;
    add("subscriptions", items);
    // Present (possibly empty) unless a read fails: no subscription means nothing to read, not unknown.
    for (const s of BELOW_SUBSCRIPTIONS) azure[s] = [];

    const rulePromises: Promise<unknown>[] = [];
    const rest: Promise<unknown>[] = [];
    for (const sub of items) {
      const base = `/subscriptions/${encodeURIComponent(String(sub.subscriptionId))}/providers`;
      const queryRules = listInto(
        "scheduledQueryRules",
        `${base}/Microsoft.Insights/scheduledQueryRules?api-version=${v.scheduledQueryRules}`,
      );
      rulePromises.push(queryRules);
      rest.push(queryRules.then((r) => collectAlerts(arm, base, r, add, fail, onProgress)));
      rest.push(
        listInto("actionGroups", `${base}/Microsoft.Insights/actionGroups?api-version=${v.actionGroups}`),
      );
      const workspaces = listInto(
        "workspaces",
        `${base}/Microsoft.OperationalInsights/workspaces?api-version=${v.workspaces}`,
      ).then((ws) => {
        if (!ws.ok) {
          const reason = `not read: azure.workspaces unavailable (${unavailable["azure.workspaces"]})`;
          for (const s of ["tables", "sentinelAlertRules", "sentinelWatchlists"] as const) fail(s, reason);
          return [] as ReturnType<typeof collectWorkspace>[];
        }
        return ws.items.map((w) => collectWorkspace(arm, String(w.id), add, fail, onProgress));
      });
      rulePromises.push(workspaces.then((all) => Promise.all(all.map((w) => w.rules))));
      rest.push(workspaces.then((all) => Promise.all(all.map((w) => w.done))));
    }
    await Promise.all(rulePromises);
    rulesDone();
    await Promise.all(rest);
  })().finally(() => rulesDone());

  return { azure, unavailable, rules, done: Promise.all([main, diagnostics]).then(() => undefined) };
}

/**
 * The alerts each sign-in rule of a subscription raised in the last 30 days (the most the alerts
 * API answers), one request per rule (`alertRule` filter): what EA-MON-05 says of an unexplained
 * sign-in, whether the alert fired. Rules that could not be listed leave the alerts unread.
 */
async function collectAlerts(
  arm: ArmApi,
  base: string,
  rules: Awaited<ReturnType<ArmApi["list"]>>,
  add: (section: Section, items: ArmObject[]) => void,
  fail: (section: Section, error: ReadError | string) => void,
  onProgress: (path: string) => void,
): Promise<void> {
  if (!rules.ok)
    return fail("alerts", "not read: azure.scheduledQueryRules unavailable (the rules whose alerts to list)");
  // side by side: one round trip after the rules, however many rules
  const answers = await Promise.all(
    rules.items
      .filter(watchesSignIns)
      .map((rule) =>
        arm.list(
          `${base}/Microsoft.AlertsManagement/alerts?api-version=${ARM_API_VERSIONS.alerts}` +
            `&alertRule=${encodeURIComponent(String(rule.id))}&timeRange=${ALERTS_TIME_RANGE}`,
        ),
      ),
  );
  for (const r of answers) {
    if (!r.ok) return fail("alerts", r.error);
    add("alerts", r.items);
  }
  onProgress("azure.alerts");
}

function collectWorkspace(
  arm: ArmApi,
  workspaceId: string,
  add: (section: Section, items: ArmObject[]) => void,
  fail: (section: Section, error: ReadError | string) => void,
  onProgress: (path: string) => void,
): { rules: Promise<void>; done: Promise<void> } {
  const v = ARM_API_VERSIONS;
  const sentinel = `${workspaceId}/providers/Microsoft.SecurityInsights`;
  const tables = (async () => {
    const r = await arm.list(`${workspaceId}/tables?api-version=${v.tables}`);
    onProgress("azure.tables");
    if (!r.ok) return fail("tables", r.error);
    // Every listed table is kept as ARM returns it; checks pick MONITORED_TABLES (an absent one
    // inherits the workspace's retention).
    add("tables", r.items);
  })();
  const rules = (async () => {
    const r = await arm.list(`${sentinel}/alertRules?api-version=${v.sentinel}`);
    onProgress("azure.sentinelAlertRules");
    if (r.ok) add("sentinelAlertRules", r.items);
    // A workspace without Sentinel has no alert rules to read: ARM answers 404 there.
    else if (r.error.status !== 404) fail("sentinelAlertRules", r.error);
  })();
  const watchlists = (async () => {
    const r = await arm.list(`${sentinel}/watchlists?api-version=${v.sentinel}`);
    if (!r.ok) {
      if (r.error.status !== 404) fail("sentinelWatchlists", r.error);
      return;
    }
    // The snapshot keeps a watchlist's items inside it (docs/snapshot.md); ARM serves them as children.
    const withItems = await Promise.all(
      r.items.map(async (w) => {
        const items = await arm.list(`${String(w.id)}/watchlistItems?api-version=${v.sentinel}`);
        if (!items.ok) {
          fail("sentinelWatchlists", items.error);
          return w;
        }
        return { ...w, items: items.items };
      }),
    );
    add("sentinelWatchlists", withItems);
    onProgress("azure.sentinelWatchlists");
  })();
  return { rules, done: Promise.all([tables, rules, watchlists]).then(() => undefined) };
}
