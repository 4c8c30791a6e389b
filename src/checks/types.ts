/**
 * The shape of a check and its findings (docs/checks/README.md lists the checks).
 * A check is a pure function of its context: the same snapshot and config give the same findings.
 */
import type { CheckRecords } from "../records/check-records.js";
import type { Config, Severity } from "../config/schema.js";
import type { Directory } from "../snapshot/directory.js";
import type { Snapshot } from "../snapshot/schema.js";

/**
 * Worst first: a check takes the worst status of its findings. `accepted` is a finding the
 * configuration accepts until a date (docs/config.md "accept"): listed, not failing.
 */
export const STATUS_ORDER = ["error", "fail", "unknown", "warn", "accepted", "pass", "skip"] as const;
export type Status = (typeof STATUS_ORDER)[number];

export const worstStatus = (statuses: Iterable<Status>): Status | undefined => {
  let best: Status | undefined;
  for (const s of statuses)
    if (best === undefined || STATUS_ORDER.indexOf(s) < STATUS_ORDER.indexOf(best)) best = s;
  return best;
};

export interface Subject {
  type:
    "user" | "group" | "policy" | "role" | "tenant" | "authenticationStrength" | "resource" | "account-ref";
  id: string;
  displayName?: string | null;
}

export interface Remediation {
  summary: string;
  portal?: string;
  graph?: string;
  powershell?: string;
  command?: string;
}

export interface Finding {
  status: Status;
  severity?: Severity;
  subject?: Subject;
  message: string;
  evidence?: Record<string, unknown>;
  remediation?: Remediation;
  /**
   * What identifies this finding across runs (fail, warn, unknown and accepted findings only): the
   * SARIF partial fingerprint, and what an `accept` entry may name. Set by the runner.
   */
  fingerprint?: string;
  /** The `accept` entry that matched this finding (set by the runner). */
  acceptance?: Acceptance;
}

/** An `accept` entry applied to a finding: `expired` ones leave the finding's status as it was. */
export interface Acceptance {
  /** the entry's index in the configuration's `accept` list. */
  entry: number;
  reason: string;
  /** the last day (UTC) the acceptance holds, YYYY-MM-DD. */
  expires: string;
  expired: boolean;
  /** the status the finding has without the acceptance. */
  findingStatus: Status;
}

/** An emergency account as the checks see it. */
export interface EmergencyAccount {
  id: string;
  userPrincipalName?: string | null;
  displayName?: string | null;
}

export interface AccountResolution {
  method: "config" | "config+group" | "group" | "discovered";
  resolved: EmergencyAccount[];
  /** `id`: the deleted object's id, when the reference sits in the recycle bin (to restore it). */
  unresolved: Array<{ ref: string; deleted?: boolean; restorableUntil?: string; id?: string }>;
  /** the emergency group, when configured and found. */
  group?: { id: string; displayName?: string | null };
  /** the configured group reference that did not resolve. */
  unresolvedGroup?: string;
  candidates?: Array<{
    id: string;
    userPrincipalName?: string | null;
    displayName?: string | null;
    score: number;
    reasons: string[];
    /** discovery only: taken as an emergency account (score at or above the threshold, within accountCount.max). */
    selected?: boolean;
  }>;
}

export interface CheckContext {
  snapshot: Snapshot;
  directory: Directory;
  config: Config;
  accounts: AccountResolution;
  /** the snapshot's capturedAt: "now" for every check. */
  now: Date;
  /**
   * When `accept` entries are judged expired: the run's clock (or --now). Undefined: `now`. An
   * acceptance expires in real time, whatever the age of the snapshot.
   */
  acceptAt?: Date;
  /**
   * The records beside the configuration (custody registry, drills, uses, enrollments), when the
   * command read them; undefined when it did not (no configuration file): the EA-OPS checks are
   * then unknown.
   */
  records?: CheckRecords;
}

/** A need: a snapshot path (see availability.ts). `anyOf` groups alternatives (Azure Monitor or Sentinel). */
export type Need = string | { anyOf: string[] };

export interface Check {
  id: string;
  title: string;
  severity: Severity;
  /** seed file prefixes ("000".."004") or "beyond seeds". */
  sources: string[];
  needs: Need[];
  /**
   * Needs that depend on the tenant, such as one relationship per emergency account
   * (`users[<id>].authenticationMethods`): missing ones count exactly like `needs`.
   */
  needsFor?(ctx: CheckContext): Need[];
  /** the check's documentation, Markdown, kept beside it (`<file>.md`). */
  docs?: string;
  /** undefined when the check applies; else the reason it is skipped. */
  appliesTo?(ctx: CheckContext): string | undefined;
  evaluate(ctx: CheckContext): Finding[];
}

export interface CheckResult {
  id: string;
  title: string;
  severity: Severity;
  status: Status;
  reason: string | null;
  findings: Finding[];
}
