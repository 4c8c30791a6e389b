/**
 * What the EA-OPS checks and EA-MON-05 share: reading the records beside the configuration (custody
 * registry, drills, uses, enrollments) and saying `unknown` when there are none, never `pass`.
 */
import type { AccessRecord } from "../../records/access.js";
import { isSuccessfulDrill } from "../../records/vocabulary.js";
import type { Custodian, Custody } from "../../records/custody.js";
import { norm } from "../../snapshot/directory.js";
import { tenantSubject } from "../../snapshot/subjects.js";
import type { CheckContext, Finding } from "../types.js";

/** The tenant-wide `unknown` a records check gives when the records it grades are not there. */
export function noRecordsFinding(ctx: CheckContext, what: string, fix: string): Finding {
  return {
    status: "unknown",
    subject: tenantSubject(ctx.snapshot),
    message: `${what}: ${fix}`,
    evidence: { records: ctx.records?.root ?? null },
  };
}

/** The custody registry, or the finding that says why it cannot be graded. */
export function custodyOf(ctx: CheckContext): Custody | Finding {
  if (!ctx.records)
    return noRecordsFinding(
      ctx,
      "no records were read",
      "run with --config naming the configuration file the custody registry (custody.yaml) sits beside",
    );
  if (!ctx.records.custody)
    return noRecordsFinding(
      ctx,
      "no custody registry",
      `write custody.yaml beside the configuration in ${ctx.records.root} (docs/drills.md)`,
    );
  return ctx.records.custody;
}

/** Every drill, use and enrollment record, or the finding that says there are none. */
export function accessRecordsOf(ctx: CheckContext): AccessRecord[] | Finding {
  if (!ctx.records)
    return noRecordsFinding(
      ctx,
      "no records were read",
      "run with --config naming the configuration file the drill records (drills/) sit beside",
    );
  if (!ctx.records.hasAccessRecords)
    return noRecordsFinding(
      ctx,
      "no drill records",
      "run breakglass drill start, then drill finish, for each account",
    );
  return ctx.records.access;
}

export const isFinding = (x: unknown): x is Finding =>
  typeof x === "object" && x !== null && "status" in x && "message" in x;

/** A custodian holds the role on `now`: started, and not ended. */
export const isCurrent = (c: Custodian, now: Date): boolean =>
  new Date(c.since) <= now && (c.until == null || new Date(c.until) > now);

/** The successful drills of an account, newest first. */
export function successfulDrills(records: readonly AccessRecord[], accountId: string): AccessRecord[] {
  return records
    .filter((r) => isSuccessfulDrill(r) && norm(r.account.id) === norm(accountId))
    .sort((a, b) => b.finishedAt!.localeCompare(a.finishedAt!));
}

/** A custody entry's account (UPN or id) as an emergency account id, when it is one. */
export function accountIdOf(ctx: CheckContext, ref: string): string | undefined {
  const hit = ctx.accounts.resolved.find(
    (a) =>
      norm(a.id) === norm(ref) || (a.userPrincipalName != null && norm(a.userPrincipalName) === norm(ref)),
  );
  return hit?.id;
}
