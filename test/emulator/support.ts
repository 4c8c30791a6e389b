/** Shared test helpers: a tiny snapshot, CA-trusting HTTP clients and credential options. */
import { Agent as HttpsAgent } from "node:https";
import { agentPolicy } from "@azure/core-rest-pipeline";
import { Agent, request } from "undici";
import type { Snapshot } from "../../src/snapshot/schema.js";
import type { RunningEmulator } from "../../emulator/index.js";

export const TENANT_ID = "0d2b7c3e-1111-4a2b-9c3d-00000000aaaa";
export const SUB_A = "11111111-aaaa-4bbb-8ccc-000000000001";
export const SUB_B = "22222222-aaaa-4bbb-8ccc-000000000002";

export function sampleSnapshot(): Snapshot {
  const ws = `/subscriptions/${SUB_A}/resourceGroups/rg-sec/providers/Microsoft.OperationalInsights/workspaces/law-sec`;
  return {
    schema: "breakglass.snapshot/v1",
    tenant: { id: TENANT_ID, displayName: "Contoso", capturedAt: "2026-11-01T10:00:00Z" },
    domains: [
      {
        id: "contoso.example",
        isDefault: true,
        isInitial: false,
        authenticationType: "Managed",
        passwordValidityPeriodInDays: null,
      },
    ],
    organization: [{ id: TENANT_ID, displayName: "Contoso" }],
    users: [
      {
        id: "aaaaaaaa-0000-0000-0000-000000000001",
        userPrincipalName: "bg1@contoso.example",
        authenticationMethods: [{ "@odata.type": "#microsoft.graph.fido2AuthenticationMethod", id: "m1" }],
      },
      {
        id: "aaaaaaaa-0000-0000-0000-000000000002",
        userPrincipalName: "bg2@contoso.example",
        authenticationMethods: [],
      },
    ],
    conditionalAccessPolicies: [{ id: "ca1", displayName: "Require MFA", state: "enabled" }],
    signIns: [
      { id: "s1", userId: "aaaaaaaa-0000-0000-0000-000000000001", createdDateTime: "2026-10-30T10:00:00Z" },
    ],
    azure: {
      subscriptions: [
        { subscriptionId: SUB_A, displayName: "Security", state: "Enabled" },
        { subscriptionId: SUB_B, displayName: "Other", state: "Enabled" },
      ],
      diagnosticSettings: [
        {
          id: "/providers/microsoft.aadiam/diagnosticSettings/to-law",
          name: "to-law",
          type: "microsoft.aadiam/diagnosticSettings",
          properties: { workspaceId: ws, logs: [{ category: "SignInLogs", enabled: true }] },
        },
      ],
      workspaces: [
        {
          id: ws,
          name: "law-sec",
          type: "Microsoft.OperationalInsights/workspaces",
          properties: { customerId: "c0ffee00-0000-0000-0000-000000000001", retentionInDays: 90 },
        },
        {
          id: `/subscriptions/${SUB_B}/resourceGroups/rg-x/providers/Microsoft.OperationalInsights/workspaces/law-other`,
          name: "law-other",
          type: "Microsoft.OperationalInsights/workspaces",
          properties: { retentionInDays: 30 },
        },
      ],
      tables: [
        {
          id: `${ws}/tables/SigninLogs`,
          name: "SigninLogs",
          type: "Microsoft.OperationalInsights/workspaces/tables",
          properties: { retentionInDays: 365, totalRetentionInDays: 730 },
        },
        {
          id: `${ws}/tables/AuditLogs`,
          name: "AuditLogs",
          type: "Microsoft.OperationalInsights/workspaces/tables",
          properties: { retentionInDays: 365, totalRetentionInDays: 730 },
        },
        {
          id: `${ws}/tables/AADNonInteractiveUserSignInLogs`,
          name: "AADNonInteractiveUserSignInLogs",
          type: "Microsoft.OperationalInsights/workspaces/tables",
          properties: { retentionInDays: 90, totalRetentionInDays: 90 },
        },
      ],
      scheduledQueryRules: [
        {
          id: `/subscriptions/${SUB_A}/resourceGroups/rg-sec/providers/Microsoft.Insights/scheduledQueryRules/bg-signin`,
          name: "bg-signin",
          type: "Microsoft.Insights/scheduledQueryRules",
          properties: { enabled: true, severity: 0 },
        },
      ],
      actionGroups: [
        {
          id: `/subscriptions/${SUB_A}/resourceGroups/rg-sec/providers/Microsoft.Insights/actionGroups/bg-oncall`,
          name: "bg-oncall",
          type: "Microsoft.Insights/actionGroups",
          properties: { groupShortName: "bgoncall", enabled: true },
        },
      ],
      sentinelAlertRules: [
        {
          id: `${ws}/providers/Microsoft.SecurityInsights/alertRules/6f0e0000-0000-0000-0000-000000000001`,
          name: "6f0e0000-0000-0000-0000-000000000001",
          type: "Microsoft.SecurityInsights/alertRules",
          kind: "NRT",
          properties: { displayName: "Break-glass sign-in", enabled: true },
        },
      ],
      sentinelWatchlists: [
        {
          id: `${ws}/providers/Microsoft.SecurityInsights/watchlists/bgaccounts`,
          name: "bgaccounts",
          type: "Microsoft.SecurityInsights/Watchlists",
          properties: { watchlistAlias: "bgaccounts", displayName: "Break-glass accounts" },
          items: [
            {
              id: `${ws}/providers/Microsoft.SecurityInsights/watchlists/bgaccounts/watchlistItems/0001`,
              name: "0001",
              type: "Microsoft.SecurityInsights/Watchlists/WatchlistItems",
              properties: { itemsKeyValue: { UPN: "bg1@contoso.example" } },
            },
            {
              name: "0002",
              type: "Microsoft.SecurityInsights/Watchlists/WatchlistItems",
              properties: { itemsKeyValue: { UPN: "bg2@contoso.example" } },
            },
          ],
        },
      ],
    },
  } as Snapshot;
}

/** The way a client trusts the emulator CA in-process: an https.Agent with `ca`, set on every request by core-rest-pipeline's agentPolicy. */
export function credentialOptions(emulator: RunningEmulator) {
  return {
    authorityHost: emulator.authorityHost,
    disableInstanceDiscovery: true,
    additionalPolicies: [
      {
        policy: agentPolicy(new HttpsAgent({ ca: emulator.caPem, keepAlive: true })),
        position: "perCall" as const,
      },
    ],
  };
}

export function undiciAgent(emulator: RunningEmulator): Agent {
  return new Agent({ connect: { ca: emulator.caPem } });
}

export interface SimpleResponse {
  status: number;
  headers: Record<string, string>;
  body: any;
  text: string;
}

/** A request to the emulator with undici, trusting its CA. */
export async function call(
  emulator: RunningEmulator,
  dispatcher: Agent,
  method: string,
  url: string,
  options: { token?: string; headers?: Record<string, string>; body?: string | object } = {},
): Promise<SimpleResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const absolute = url.startsWith("https://") ? url : `${emulator.url}${url}`;
  const res = await request(absolute, { method: method as "GET", headers, body, dispatcher });
  const text = await res.body.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers))
    if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(", ") : v;
  return { status: res.statusCode, headers: flat, body: parsed, text };
}

/** A token for an app through the token endpoint (client secret in the body). */
export async function tokenFor(
  emulator: RunningEmulator,
  dispatcher: Agent,
  clientId: string,
  secret: string,
  scope = "https://graph.microsoft.com/.default",
): Promise<string> {
  const res = await call(emulator, dispatcher, "POST", `/${emulator.tenantId}/oauth2/v2.0/token`, {
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: secret,
      scope,
    }).toString(),
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
  return res.body.access_token as string;
}
