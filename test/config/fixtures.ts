import { expect } from "vitest";
import { ConfigError, parseConfigText } from "../../src/config/load.js";

/** The message of the ConfigError (exit 2) a configuration text is refused with. */
export const problem = (text: string, format: "yaml" | "json" = "yaml"): string => {
  try {
    parseConfigText(text, "breakglass.yaml", format);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
};

/** The example configuration of docs/config.md, comments left out. */
export const SPEC_EXAMPLE = `
tenant: 00000000-0000-0000-0000-000000000000
accounts:
  - k7q2m@contoso.onmicrosoft.com
  - 3f1c7a52-8a0e-4c1f-9d7b-2b7f3e0c9a11
group: 5b0e0c1d-6a52-4c8e-8f7b-0f0c2e6c1a44
dedicatedPolicyIds: []
allowedPolicyIds: []
profile:
  accountCount: { min: 2, max: 4 }
  naming: obscure
  namingPattern: null
  passwords: kept
  keysPerAccount: 2
  allowedMethods: [fido2]
  dedicatedPolicy: required
  signInFrequency: everyTime
  licenses: none
  roleAssignment: any
  gaCount: { min: 2, max: 8 }
  passwordMaxAgeDays: 365
  drillIntervalDays: 90
  signInLookbackDays: 30
  retentionDays: 90
  alert: { maxSeverity: 0, maxFrequency: PT5M }
  envelope:
    clientAppTypes: [browser, mobileAppsAndDesktopClients]
    platforms: all
    locations: any
    device: unregistered
    riskLevels: all
    resources: recovery
checks:
  EA-AUTH-02: { severity: low }
  EA-ACC-08: { enabled: false, reason: "our naming standard is descriptive; reviewed 2026-10" }
azure:
  subscriptionIds: []
  resourceGroup: rg-signinlogs-prod-weu-01
  workspace: log-signinlogs-prod-weu
`;
