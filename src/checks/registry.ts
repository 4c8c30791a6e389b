/**
 * Every check of the catalogue (shared/spec/checks.md), in catalogue order: EA-ACC, EA-ROLE,
 * EA-AUTH, EA-MON, EA-CA. Every report lists each of them once, whatever its status. Checks other
 * branches implement are placeholders from pending-checks.ts until they merge.
 */
import type { Config } from "../config/schema.js";
import { Directory } from "../snapshot/directory.js";
import type { Snapshot } from "../snapshot/schema.js";
import { resolveAccounts } from "./accounts.js";
import { check as eaAcc01 } from "./ea-acc-01-two-accounts.js";
import { check as eaAcc02 } from "./ea-acc-02-enabled.js";
import { check as eaAcc03 } from "./ea-acc-03-cloud-only.js";
import { check as eaAcc04 } from "./ea-acc-04-initial-domain.js";
import { check as eaAcc05 } from "./ea-acc-05-password-never-expires.js";
import { check as eaAcc06 } from "./ea-acc-06-password-rotated.js";
import { check as eaAcc07 } from "./ea-acc-07-licences.js";
import { check as eaAcc08 } from "./ea-acc-08-naming.js";
import { check as eaAcc09 } from "./ea-acc-09-no-automated-cleanup.js";
import { check as eaAcc10 } from "./ea-acc-10-isolated.js";
import { check as eaRole01 } from "./ea-role-01-global-admin.js";
import { check as eaRole02 } from "./ea-role-02-permanent-active.js";
import { check as eaRole03 } from "./ea-role-03-protected-group.js";
import { check as eaRole04 } from "./ea-role-04-restricted-au.js";
import { check as eaRole05 } from "./ea-role-05-other-global-admins.js";
import { check as eaRole06 } from "./ea-role-06-pim-approvers.js";
import * as pendingChecks from "./pending-checks.js";
import { runChecks } from "./runner.js";
import type { Check, CheckContext, CheckResult } from "./types.js";

const { pending } = pendingChecks;
const THIS_BRANCH = "the account, role and authentication checks (checks branch, in progress)";

export const CHECKS: readonly Check[] = [
  eaAcc01,
  eaAcc02,
  eaAcc03,
  eaAcc04,
  eaAcc05,
  eaAcc06,
  eaAcc07,
  eaAcc08,
  eaAcc09,
  eaAcc10,
  eaRole01,
  eaRole02,
  eaRole03,
  eaRole04,
  eaRole05,
  eaRole06,
  pending(
    "EA-AUTH-01",
    "Phishing-resistant method",
    "critical",
    ["000", "001", "002", "003", "004"],
    THIS_BRANCH,
  ),
  pending("EA-AUTH-02", "Hardware diversity", "medium", ["004"], THIS_BRANCH),
  pending("EA-AUTH-03", "No phishable or personal-device method", "high", ["000", "001", "004"], THIS_BRANCH),
  pending("EA-AUTH-04", "Independent of everyday admins", "medium", ["001"], THIS_BRANCH),
  pending("EA-AUTH-05", "The tenant lets the keys work", "critical", ["beyond seeds"], THIS_BRANCH),
  pending("EA-AUTH-06", "Per-user MFA disabled", "medium", ["000", "003"], THIS_BRANCH),
  pending("EA-AUTH-07", "SSPR cannot take them over", "high", ["000"], THIS_BRANCH),
  pending("EA-AUTH-08", "No usable Temporary Access Pass", "high", ["beyond seeds"], THIS_BRANCH),
  pending("EA-AUTH-09", "Registration campaigns exclude the accounts", "medium", ["001"], THIS_BRANCH),
  pending("EA-AUTH-10", "No account is at risk", "critical", ["beyond seeds"], THIS_BRANCH),
  pendingChecks.PENDING_MON_01,
  pendingChecks.PENDING_MON_02,
  pendingChecks.PENDING_MON_03,
  pendingChecks.PENDING_MON_04,
  pendingChecks.PENDING_CA_01,
  pendingChecks.PENDING_CA_02,
  pendingChecks.PENDING_CA_03,
  pendingChecks.PENDING_CA_04,
  pendingChecks.PENDING_CA_05,
  pendingChecks.PENDING_CA_06,
  pendingChecks.PENDING_CA_07,
  pendingChecks.PENDING_CA_08,
];

/** The context every check sees: the snapshot, its directory index, the config, the accounts and "now". */
export function buildCheckContext(snapshot: Snapshot, config: Config): CheckContext {
  const directory = new Directory(snapshot);
  return {
    snapshot,
    directory,
    config,
    accounts: resolveAccounts(snapshot, config, directory),
    now: new Date(snapshot.tenant.capturedAt),
  };
}

/** Runs every check of the catalogue on a snapshot. Pure: the same input gives the same results. */
export function assess(snapshot: Snapshot, config: Config, checks: readonly Check[] = CHECKS): CheckResult[] {
  return runChecks(checks, buildCheckContext(snapshot, config));
}
