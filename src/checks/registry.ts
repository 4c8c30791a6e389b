/**
 * Every check of the catalogue (docs/checks/README.md), in catalogue order: EA-ACC, EA-ROLE,
 * EA-AUTH, EA-CA, EA-MON, EA-OPS (drills, custody, runbook). Every report lists each of them once, whatever its status.
 */
import type { CheckRecords } from "../records/check-records.js";
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
import { check as eaAuth01 } from "./ea-auth-01-phishing-resistant.js";
import { check as eaAuth02 } from "./ea-auth-02-key-diversity.js";
import { check as eaAuth03 } from "./ea-auth-03-no-phishable-methods.js";
import { check as eaAuth04 } from "./ea-auth-04-independent-methods.js";
import { check as eaAuth05 } from "./ea-auth-05-methods-policy.js";
import { check as eaAuth06 } from "./ea-auth-06-per-user-mfa.js";
import { check as eaAuth07 } from "./ea-auth-07-sspr.js";
import { check as eaAuth08 } from "./ea-auth-08-no-tap.js";
import { check as eaAuth09 } from "./ea-auth-09-registration-campaigns.js";
import { check as eaAuth10 } from "./ea-auth-10-not-at-risk.js";
import { check as eaRole01 } from "./ea-role-01-global-admin.js";
import { check as eaRole02 } from "./ea-role-02-permanent-active.js";
import { check as eaRole03 } from "./ea-role-03-protected-group.js";
import { check as eaRole04 } from "./ea-role-04-restricted-au.js";
import { check as eaRole05 } from "./ea-role-05-other-global-admins.js";
import { check as eaRole06 } from "./ea-role-06-pim-approvers.js";
import { check as eaCa01 } from "./ea-ca-01-no-other-policy.js";
import { check as eaCa02 } from "./ea-ca-02-dedicated-policy.js";
import { check as eaCa03 } from "./ea-ca-03-authentication-strength.js";
import { check as eaCa04 } from "./ea-ca-04-session-controls.js";
import { check as eaCa05 } from "./ea-ca-05-lockout-proof.js";
import { check as eaCa06 } from "./ea-ca-06-dormant-policies.js";
import { check as eaCa07 } from "./ea-ca-07-group-exclusions.js";
import { check as eaCa08 } from "./ea-ca-08-security-defaults.js";
import { check as eaMon01 } from "./ea-mon-01-log-export.js";
import { check as eaMon02 } from "./ea-mon-02-retention.js";
import { check as eaMon03 } from "./ea-mon-03-signin-alert.js";
import { check as eaMon04 } from "./ea-mon-04-audit-alerts.js";
import { check as eaMon05 } from "./ea-mon-05-unexplained-use.js";
import { check as eaOps01 } from "./ea-ops-01-drilled.js";
import { check as eaOps02 } from "./ea-ops-02-keys-drilled.js";
import { check as eaOps03 } from "./ea-ops-03-custody.js";
import { check as eaOps04 } from "./ea-ops-04-runbook-review.js";
import { runChecks } from "./runner.js";
import type { AccountResolution, Check, CheckContext, CheckResult } from "./types.js";

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
  eaAuth01,
  eaAuth02,
  eaAuth03,
  eaAuth04,
  eaAuth05,
  eaAuth06,
  eaAuth07,
  eaAuth08,
  eaAuth09,
  eaAuth10,
  eaCa01,
  eaCa02,
  eaCa03,
  eaCa04,
  eaCa05,
  eaCa06,
  eaCa07,
  eaCa08,
  eaMon01,
  eaMon02,
  eaMon03,
  eaMon04,
  eaMon05,
  eaOps01,
  eaOps02,
  eaOps03,
  eaOps04,
];

/** The context every check sees: the snapshot, its directory index, the config, the accounts and "now". */
export function buildCheckContext(snapshot: Snapshot, config: Config, records?: CheckRecords): CheckContext {
  const directory = new Directory(snapshot);
  return {
    snapshot,
    directory,
    config,
    accounts: resolveAccounts(snapshot, config, directory),
    now: new Date(snapshot.tenant.capturedAt),
    ...(records ? { records } : {}),
  };
}

/** The results with the accounts they were graded on (the report's `accounts` block). Pure. */
export function assessWithAccounts(
  snapshot: Snapshot,
  config: Config,
  checks: readonly Check[] = CHECKS,
): { accounts: AccountResolution; results: CheckResult[] } {
  const ctx = buildCheckContext(snapshot, config);
  return { accounts: ctx.accounts, results: runChecks(checks, ctx) };
}

/**
 * Runs every check of the catalogue on a snapshot (and the records beside the configuration, when
 * read; without them the records checks are unknown). Pure: the same input gives the same results.
 */
export function assess(
  snapshot: Snapshot,
  config: Config,
  checks: readonly Check[] = CHECKS,
  records?: CheckRecords,
): CheckResult[] {
  return runChecks(checks, buildCheckContext(snapshot, config, records));
}
