/**
 * `drill start` and `drill finish` (docs/drills.md): the shell around the pure evidence rules of
 * evidence.ts. Start reads the account's FIDO2 keys (their last use, so finish can tell which key
 * signed in) and opens the drill record; finish reads the sign-ins of the window, the keys again
 * and the alerts, and completes the record once.
 */
import type { Config } from "../config/schema.js";
import type { ArmApi, GraphApi } from "../graph/index.js";
import {
  ACCESS_RECORD_SCHEMA,
  type AccessRecord,
  closeRecord,
  findRecord,
  type KeyReading,
  newRecordId,
  openRecord,
} from "../records/access.js";
import type { Custody } from "../records/custody.js";
import type { RecordStore } from "../records/store.js";
import { UsageError } from "../errors.js";
import { type AlertRecord, drillEvidence, type SignInRecord } from "./evidence.js";

export interface DrillClients {
  graph: GraphApi;
  arm: ArmApi;
}

type Unreadable = { unreadable: string };
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The emergency account a command names: one of the configured accounts, found in the tenant. */
export async function resolveAccount(
  graph: GraphApi,
  config: Config,
  ref: string,
): Promise<AccessRecord["account"]> {
  const configured = config.accounts ?? [];
  if (!configured.some((a) => a.toLowerCase() === ref.toLowerCase()))
    throw new UsageError(
      `${ref} is not a configured emergency account (accounts: in the configuration): ${configured.join(", ") || "none configured"}`,
    );
  const r = await graph.get(`/users/${encodeURIComponent(ref)}?$select=id,userPrincipalName`, "v1.0");
  const body = r.ok ? (r.body as { id?: string; userPrincipalName?: string }) : undefined;
  if (!body?.id)
    throw new UsageError(`${ref} could not be read from the tenant: ${r.ok ? "no id" : r.error.message}`);
  return { id: body.id, userPrincipalName: body.userPrincipalName ?? null };
}

export async function readKeys(graph: GraphApi, userId: string): Promise<KeyReading[] | Unreadable> {
  const r = await graph.get(`/users/${encodeURIComponent(userId)}/authentication/fido2Methods`, "beta");
  if (!r.ok) return { unreadable: r.error.message };
  const value = (r.body as { value?: Array<Record<string, unknown>> }).value ?? [];
  return value.map((m) => ({
    methodId: String(m.id),
    aaGuid: typeof m.aaGuid === "string" ? m.aaGuid : null,
    displayName: typeof m.displayName === "string" ? m.displayName : null,
    lastUsedDateTime: typeof m.lastUsedDateTime === "string" ? m.lastUsedDateTime : null,
  }));
}

async function readSignIns(
  graph: GraphApi,
  userId: string,
  from: string,
  to: string,
): Promise<SignInRecord[] | Unreadable> {
  const filter = `userId eq ${q(userId)} and createdDateTime ge ${from} and createdDateTime le ${to}`;
  const out: SignInRecord[] = [];
  let next: string | undefined = `/auditLogs/signIns?$filter=${encodeURIComponent(filter)}`;
  while (next) {
    const r = await graph.get(next, "beta");
    if (!r.ok) return { unreadable: r.error.message };
    const page = r.body as { value?: SignInRecord[]; "@odata.nextLink"?: string };
    out.push(...(page.value ?? []));
    next = page["@odata.nextLink"];
  }
  return out;
}

/** The log search rules whose query names the account's object id and reads the sign-in tables. */
async function signInRules(
  arm: ArmApi,
  subscriptions: readonly string[],
  userId: string,
): Promise<string[] | Unreadable> {
  const ids: string[] = [];
  for (const sub of subscriptions) {
    const r = await arm.list(
      `/subscriptions/${sub}/providers/Microsoft.Insights/scheduledQueryRules?api-version=2023-12-01`,
    );
    if (!r.ok) return { unreadable: r.error.message };
    for (const rule of r.items) {
      const props = (rule.properties ?? {}) as {
        enabled?: boolean;
        criteria?: { allOf?: Array<{ query?: string }> };
      };
      const query = (props.criteria?.allOf ?? [])
        .map((c) => c.query ?? "")
        .join("\n")
        .toLowerCase();
      if (props.enabled !== false && query.includes(userId.toLowerCase()) && /signinlogs/.test(query))
        ids.push(String(rule.id).toLowerCase());
    }
  }
  return ids;
}

async function readAlerts(
  arm: ArmApi,
  subscriptions: readonly string[],
  from: string,
  to: string,
): Promise<AlertRecord[] | Unreadable> {
  const out: AlertRecord[] = [];
  for (const sub of subscriptions) {
    const r = await arm.list(
      `/subscriptions/${sub}/providers/Microsoft.AlertsManagement/alerts?api-version=2019-05-05-preview&customTimeRange=${encodeURIComponent(`${from}/${to}`)}`,
    );
    if (!r.ok) return { unreadable: r.error.message };
    out.push(...(r.items as AlertRecord[]));
  }
  return out;
}

export interface StartInput {
  account: string;
  key: string;
  by?: string;
  now: Date;
}

export async function startDrill(
  clients: DrillClients,
  store: RecordStore,
  config: Config,
  custody: Custody | undefined,
  input: StartInput,
): Promise<AccessRecord> {
  const account = await resolveAccount(clients.graph, config, input.account);
  const key = custody?.keys.find((k) => k.label === input.key);
  if (custody && !key)
    throw new UsageError(
      `no key is labelled ${input.key} in custody.yaml (labels: ${custody.keys.map((k) => k.label).join(", ") || "none"})`,
    );
  const keys = await readKeys(clients.graph, account.id);
  if (!Array.isArray(keys))
    throw new UsageError(
      `the account's keys could not be read (${keys.unreadable}): the drill could not prove which key is used`,
    );
  const record: AccessRecord = {
    schema: ACCESS_RECORD_SCHEMA,
    id: newRecordId("drill", input.now),
    kind: "drill",
    account,
    key: input.key,
    ...(input.by ? { by: input.by } : {}),
    startedAt: input.now.toISOString(),
    keysAtStart: keys,
  };
  await openRecord(store, record);
  return record;
}

export interface FinishInput {
  id: string;
  now: Date;
  alertReceivedAt?: string;
  notes?: string;
}

const ISO_MINUTES = /^PT(\d+)M$/;

export async function finishDrill(
  clients: DrillClients,
  store: RecordStore,
  config: Config,
  custody: Custody | undefined,
  input: FinishInput,
): Promise<AccessRecord> {
  const record = await findRecord(store, input.id);
  if (!record || record.kind !== "drill")
    throw new UsageError(`no drill has the id ${input.id} (breakglass drill list shows them)`);
  if (record.finishedAt)
    throw new UsageError(
      `drill ${input.id} was finished at ${record.finishedAt}; a finished drill is never changed`,
    );
  const finishedAt = input.now.toISOString();
  const subscriptions = config.azure.subscriptionIds;
  const noWorkspace = {
    unreadable: "no azure.subscriptionIds in the configuration: the alerts cannot be read",
  };
  const [signIns, keysAtFinish, alerts, rules] = await Promise.all([
    readSignIns(clients.graph, record.account.id, record.startedAt, finishedAt),
    readKeys(clients.graph, record.account.id),
    subscriptions.length
      ? readAlerts(clients.arm, subscriptions, record.startedAt, finishedAt)
      : Promise.resolve(noWorkspace),
    subscriptions.length
      ? signInRules(clients.arm, subscriptions, record.account.id)
      : Promise.resolve(noWorkspace),
  ]);
  const key = custody?.keys.find((k) => k.label === record.key);
  const delay = ISO_MINUTES.exec(config.profile.alert.maxDelay ?? "PT15M");
  const dedicated = new Set(config.dedicatedPolicyIds.map((p) => p.toLowerCase()));
  // The policy deploy names (names.policy) is dedicated too: find it among the sign-ins' policies.
  if (Array.isArray(signIns) && config.names?.policy)
    for (const s of signIns)
      for (const p of s.appliedConditionalAccessPolicies ?? [])
        if (p.displayName === config.names.policy && p.id) dedicated.add(p.id.toLowerCase());
  const { evidence, outcome } = drillEvidence(
    record,
    finishedAt,
    { signIns, keysAtFinish, alerts: Array.isArray(rules) ? alerts : rules },
    {
      ...(key
        ? {
            key: {
              label: key.label,
              ...(key.methodId ? { methodId: key.methodId } : {}),
              ...(key.aaGuid ? { aaGuid: key.aaGuid } : {}),
            },
          }
        : {}),
      dedicatedPolicyIds: [...dedicated],
      signInRuleIds: Array.isArray(rules) ? rules : [],
      maxAlertDelayMs: Number(delay?.[1] ?? 15) * 60_000,
      ...(input.alertReceivedAt ? { alertReceivedAt: input.alertReceivedAt } : {}),
    },
  );
  return closeRecord(store, record.id, {
    finishedAt,
    ...(Array.isArray(keysAtFinish) ? { keysAtFinish } : {}),
    evidence,
    outcome,
    ...(input.alertReceivedAt ? { alertReceivedAt: input.alertReceivedAt } : {}),
    ...(input.notes ? { notes: input.notes } : {}),
  });
}
