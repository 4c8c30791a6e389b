/**
 * `breakglass due`: what is due and when (docs/drills.md): each account's next drill, each key's
 * next drill, the custody review, and custodians whose custody ends soon. Pure: from the config, the
 * records and "now".
 */
import type { Config } from "../config/schema.js";
import type { AccessRecord } from "../records/access.js";
import { EVIDENCE, isSuccessfulDrill } from "../records/vocabulary.js";
import type { Custody } from "../records/custody.js";

export interface DueItem {
  what: string;
  /** the day it is due (YYYY-MM-DD); undefined: never done, due now */
  due?: string;
  overdue: boolean;
  /** the command that does it */
  how: string;
}

const DAY = 86_400_000;
const plusDays = (iso: string, days: number) =>
  new Date(new Date(iso).getTime() + days * DAY).toISOString().slice(0, 10);

function lastProof(
  records: readonly AccessRecord[],
  match: (r: AccessRecord) => boolean,
  item: string,
): string | undefined {
  return records
    .filter(
      (r) =>
        isSuccessfulDrill(r) && match(r) && r.evidence?.some((e) => e.item === item && e.status === "pass"),
    )
    .map((r) => r.finishedAt!)
    .sort()
    .at(-1);
}

export function dueItems(input: {
  config: Config;
  accounts: ReadonlyArray<{ id: string; userPrincipalName?: string | null }>;
  custody?: Custody;
  records: readonly AccessRecord[];
  now: Date;
  withinDays: number;
}): DueItem[] {
  const { config, custody, records, now } = input;
  const horizon = new Date(now.getTime() + input.withinDays * DAY);
  const out: DueItem[] = [];
  const add = (what: string, due: string | undefined, how: string) => {
    if (due === undefined || new Date(due) <= horizon)
      out.push({ what, ...(due ? { due } : {}), overdue: due === undefined || new Date(due) < now, how });
  };
  for (const a of input.accounts) {
    const name = a.userPrincipalName ?? a.id;
    const last = lastProof(
      records,
      (r) => r.account.id.toLowerCase() === a.id.toLowerCase(),
      EVIDENCE.signIn,
    );
    add(
      `drill of ${name}`,
      last && plusDays(last, config.profile.drillIntervalDays),
      `breakglass drill start ${name} --key <label>`,
    );
  }
  for (const k of custody?.keys ?? []) {
    const last = lastProof(records, (r) => r.key === k.label, EVIDENCE.key);
    add(
      `drill of key ${k.label} (${k.account})`,
      last && plusDays(last, config.profile.keyDrillIntervalDays),
      `breakglass drill start ${k.account} --key ${k.label}`,
    );
  }
  if (custody) {
    add(
      "runbook review",
      custody.review && plusDays(custody.review.date, config.profile.reviewIntervalDays),
      "breakglass runbook; record review: in custody.yaml",
    );
    for (const c of custody.custodians)
      if (c.until && new Date(c.until) > now && new Date(c.until) <= horizon)
        out.push({
          what: `custody of ${c.name} ends`,
          due: c.until.slice(0, 10),
          overdue: false,
          how: "hand over their keys and PINs, update custody.yaml, review the runbook",
        });
  }
  return out.sort((a, b) => (a.due ?? "").localeCompare(b.due ?? "") || a.what.localeCompare(b.what));
}
