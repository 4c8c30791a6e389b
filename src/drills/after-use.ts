/**
 * The steps after every real use of an emergency account (docs/drills.md): `use record` prints
 * them, `use close` records each, and the runbook lists them for the sealed binder.
 */

export interface AfterUseStep {
  /** the short name `use close --done` takes */
  id: string;
  /** what to do, as the runbook and `use record` print it */
  text: string;
}

/** The steps after every real use, in order: preserve and review the logs, then put the account back as it was. */
export const AFTER_USE_STEPS: readonly AfterUseStep[] = [
  {
    id: "export-logs",
    text: "Preserve and export the sign-in and audit logs of the use window (Entra admin center > Monitoring > Sign-in logs and Audit logs > Download), before retention ends",
  },
  {
    id: "review-logs",
    text: "Review the sign-in and audit logs of the window: every sign-in and every action of the account matches the authorized emergency (breakglass logs scan reads the export)",
  },
  {
    id: "reset-password",
    text: "If a password was used, reset it and return the new password (or its halves) to custody",
  },
  {
    id: "verify-keys",
    text: "Verify the keys: each is back with its custodians and its PIN sealed again; remove and re-enroll a key that left custody",
  },
  {
    id: "revoke-sessions",
    text: "Revoke the account's sessions (Entra admin center > Users > Revoke sessions, or Graph revokeSignInSessions)",
  },
  {
    id: "re-drill",
    text: "Run a drill to prove the account still works (breakglass drill start)",
  },
];
