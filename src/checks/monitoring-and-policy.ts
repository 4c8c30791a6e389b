/** The monitoring (EA-MON-01..04) and policy (EA-CA-02, 03, 04, 07, 08) checks, for the registry. */
import { check as eaCa02 } from "./ea-ca-02-dedicated-policy.js";
import { check as eaCa03 } from "./ea-ca-03-authentication-strength.js";
import { check as eaCa04 } from "./ea-ca-04-session-controls.js";
import { check as eaCa07 } from "./ea-ca-07-group-exclusions.js";
import { check as eaCa08 } from "./ea-ca-08-security-defaults.js";
import { check as eaMon01 } from "./ea-mon-01-log-export.js";
import { check as eaMon02 } from "./ea-mon-02-retention.js";
import { check as eaMon03 } from "./ea-mon-03-signin-alert.js";
import { check as eaMon04 } from "./ea-mon-04-audit-alerts.js";
import type { Check } from "./types.js";

export const monitoringAndPolicyChecks: readonly Check[] = [
  eaCa02,
  eaCa03,
  eaCa04,
  eaCa07,
  eaCa08,
  eaMon01,
  eaMon02,
  eaMon03,
  eaMon04,
];
