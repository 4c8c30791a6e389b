/**
 * Placeholders for the catalogue's checks that other branches implement (EA-CA, EA-MON). Each has
 * the catalogue's id, title, severity and sources, and is `skip` with "arrives with ..." until its
 * branch merges; the lead then replaces the entry in registry.ts with the real check and deletes it
 * here. They never pass: a placeholder cannot vouch for anything.
 */
import type { Severity } from "../config/schema.js";
import type { Check } from "./types.js";

const PLACEHOLDERS = new WeakSet<Check>();

/** Whether a registry entry is a placeholder still waiting for its branch. */
export const isPending = (check: Check): boolean => PLACEHOLDERS.has(check);

export function pending(
  id: string,
  title: string,
  severity: Severity,
  sources: string[],
  arrivesWith: string,
): Check {
  const check: Check = {
    id,
    title,
    severity,
    sources,
    needs: [],
    appliesTo: () => `not implemented in this build: arrives with ${arrivesWith}`,
    evaluate: () => [],
  };
  PLACEHOLDERS.add(check);
  return check;
}

const CA_POLICIES = "the Conditional Access checks (EA-CA-01/05/06 branch)";
const CA_DEDICATED = "the Conditional Access checks (EA-CA-02/03/04/07/08 branch)";
const MONITORING = "the monitoring checks (EA-MON branch)";

export const PENDING_CA_01 = pending(
  "EA-CA-01",
  "No other Conditional Access policy applies to the emergency accounts",
  "critical",
  ["000", "001", "002", "003", "004"],
  CA_POLICIES,
);
export const PENDING_CA_02 = pending(
  "EA-CA-02",
  "A dedicated Conditional Access policy protects the emergency accounts",
  "high",
  ["000", "001", "002"],
  CA_DEDICATED,
);
export const PENDING_CA_03 = pending(
  "EA-CA-03",
  "The dedicated policy uses its own phishing-resistant authentication strength",
  "high",
  ["000", "001"],
  CA_DEDICATED,
);
export const PENDING_CA_04 = pending(
  "EA-CA-04",
  "The dedicated policy's session controls",
  "medium",
  ["000", "002"],
  CA_DEDICATED,
);
export const PENDING_CA_05 = pending(
  "EA-CA-05",
  "Lockout proof: no policy can lock the emergency accounts out",
  "critical",
  ["000", "001", "004"],
  CA_POLICIES,
);
export const PENDING_CA_06 = pending(
  "EA-CA-06",
  "Report-only and disabled policies that would apply to the accounts",
  "medium",
  ["000"],
  CA_POLICIES,
);
export const PENDING_CA_07 = pending(
  "EA-CA-07",
  "Exclusions go through the emergency group",
  "medium",
  ["000", "002", "003"],
  CA_DEDICATED,
);
export const PENDING_CA_08 = pending(
  "EA-CA-08",
  "Security defaults are off",
  "medium",
  ["003"],
  CA_DEDICATED,
);
export const PENDING_MON_01 = pending(
  "EA-MON-01",
  "Entra sign-in and audit logs reach a Log Analytics workspace",
  "high",
  ["000", "001", "002", "004"],
  MONITORING,
);
export const PENDING_MON_02 = pending(
  "EA-MON-02",
  "The log tables keep enough interactive retention",
  "medium",
  ["002"],
  MONITORING,
);
export const PENDING_MON_03 = pending(
  "EA-MON-03",
  "An alert that reaches a person watches every emergency sign-in",
  "critical",
  ["000", "001", "002", "004"],
  MONITORING,
);
export const PENDING_MON_04 = pending(
  "EA-MON-04",
  "Alerts cover changes to the emergency setup",
  "high",
  ["000", "001"],
  MONITORING,
);
