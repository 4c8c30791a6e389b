/**
 * The emergency runbook's content (docs/drills.md "Runbook"), built from the configuration, the
 * custody registry and the drill, use and enrollment records; the renderers
 * (src/report/runbook.ts) only lay it out. It holds labels, names and dates, never a secret: no
 * PIN, password or Temporary Access Pass is in any input it reads, and free text a person wrote
 * in a record (a drill's notes, a use's reason) is left out, since that is where one could be
 * written down by mistake.
 */
import type { Config } from "../config/schema.js";
import type { AccessRecord } from "../records/access.js";
import type { Custody } from "../records/custody.js";
import { AFTER_USE_STEPS, type AfterUseStep } from "./after-use.js";

export interface RunbookKey {
  label: string;
  model: string | null;
  location: string;
  custodians: string[];
  /** the PIN envelopes of this key: where and with whom, never the PIN */
  pins: Array<{ location: string; custodians: string[] }>;
}

export interface RunbookAccount {
  name: string;
  keys: RunbookKey[];
  passwordHalves: Array<{ half: number; location: string; custodian: string }>;
}

export interface Runbook {
  tenant: string | null;
  generatedAt: string;
  /** where the sealed binder is kept, and who may read it */
  binder: { location: string | null; readers: string[]; changedOn: string | null };
  whenToUse: string[];
  accounts: RunbookAccount[];
  signIn: string[];
  alert: string[];
  afterUse: readonly AfterUseStep[];
  custodians: Array<{
    name: string;
    contact: string | null;
    since: string;
    until: string | null;
    trainedOn: string | null;
  }>;
  /** who the alerts notify (the action group's receivers in the configuration) */
  alertReceivers: Array<{ name: string; via: string }>;
  /** the last drills, uses and enrollments, newest first */
  history: Array<{
    id: string;
    kind: string;
    account: string;
    key: string | null;
    startedAt: string;
    finishedAt: string | null;
    outcome: string;
  }>;
  review: { date: string | null; by: string | null; due: string | null; intervalDays: number };
}

/** How many records the history lists (the newest). */
export const HISTORY_LENGTH = 20;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function buildRunbook(input: {
  config: Config;
  custody: Custody | undefined;
  records: readonly AccessRecord[];
  now: Date;
}): Runbook {
  const { config, custody, records, now } = input;
  const keys = custody?.keys ?? [];
  const names = new Set([...(config.accounts ?? []), ...keys.map((k) => k.account)]);
  const accounts: RunbookAccount[] = [...names].map((name) => ({
    name,
    keys: keys
      .filter((k) => k.account.toLowerCase() === name.toLowerCase())
      .map((k) => ({
        label: k.label,
        model: k.model ?? null,
        location: k.location,
        custodians: [...k.custodians],
        pins: (custody?.pins ?? [])
          .filter((p) => p.key === k.label)
          .map((p) => ({ location: p.location, custodians: [...p.custodians] })),
      })),
    passwordHalves: (custody?.passwordHalves ?? [])
      .filter((h) => h.account.toLowerCase() === name.toLowerCase())
      .map((h) => ({ half: h.half, location: h.location, custodian: h.custodian })),
  }));
  const receivers = config.azure?.actionGroup?.receivers;
  const interval = config.profile.reviewIntervalDays;
  const reviewed = custody?.review?.date ?? null;
  const policy = config.names?.policy;
  return {
    tenant: config.tenant ?? null,
    generatedAt: now.toISOString(),
    binder: {
      location: custody?.runbook?.location ?? null,
      readers: [...(custody?.runbook?.readers ?? [])],
      changedOn: custody?.runbook?.changedOn ?? null,
    },
    whenToUse: [
      "Only when no regular administrator can sign in: Conditional Access or MFA lockout, an identity provider or federation outage, the last Global Administrator gone.",
      `The decision is taken by a person allowed to read this runbook${custody?.runbook?.readers.length ? ` (${custody.runbook.readers.join(", ")})` : ""}, and written down with the time and the reason.`,
      "Record the use first, so its sign-ins are expected: breakglass use record ACCOUNT --reason TEXT (it explains them for 24 hours, or until the use is closed).",
    ],
    accounts,
    signIn: [
      "Get the key from its custodians and its PIN envelope from the PIN's custodians: never one person both.",
      "Open a private browser window on a trusted device and go to https://portal.azure.com (or https://entra.microsoft.com).",
      "Sign in as the emergency account with the security key and its PIN.",
      `The account's own Conditional Access policy${policy ? ` (${policy})` : ""} applies; fix what caused the emergency, nothing else.`,
      "Sign out, close the browser, and return the key and the PIN envelope to their custodians, sealed again.",
    ],
    alert: [
      "Every sign-in of an emergency account raises an alert (Azure Monitor log search alert on SigninLogs) to the receivers listed under Contacts.",
      "When it arrives, confirm with the person who signed in that the use was decided; an alert nobody can explain is a possible compromise: start the incident process.",
    ],
    afterUse: AFTER_USE_STEPS,
    custodians: (custody?.custodians ?? [])
      .filter((c) => !c.until || new Date(c.until) >= now)
      .map((c) => ({
        name: c.name,
        contact: c.contact ?? null,
        since: c.since,
        until: c.until ?? null,
        trainedOn: c.trainedOn ?? null,
      })),
    alertReceivers: [
      ...(receivers?.email ?? []).map((r) => ({ name: r.name, via: `email ${r.address}` })),
      ...(receivers?.sms ?? []).map((r) => ({ name: r.name, via: `SMS +${r.countryCode} ${r.phoneNumber}` })),
      ...(receivers?.voice ?? []).map((r) => ({
        name: r.name,
        via: `voice +${r.countryCode} ${r.phoneNumber}`,
      })),
    ],
    history: [...records]
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      .slice(0, HISTORY_LENGTH)
      .map((r) => ({
        id: r.id,
        kind: r.kind,
        account: r.account.userPrincipalName ?? r.account.id,
        key: r.key ?? null,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt ?? null,
        outcome: r.outcome ?? (r.finishedAt ? "closed" : "open"),
      })),
    review: {
      date: reviewed,
      by: custody?.review?.by ?? null,
      due: reviewed ? day(Date.parse(reviewed) + interval * 86_400_000) : null,
      intervalDays: interval,
    },
  };
}
