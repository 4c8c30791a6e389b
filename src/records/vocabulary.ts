/**
 * The names of the drill evidence items: written by `drill finish` (src/drills/evidence.ts) and
 * read by the checks (EA-OPS-01, EA-OPS-02), which may import this vocabulary and otherwise only
 * the records' types (.dependency-cruiser.cjs); and what counts as a drill that proved something.
 */

/** The items `drill finish` proves, by name (the checks find them by these names). */
export const EVIDENCE = {
  signIn: "a successful interactive sign-in in the window",
  fido2: "FIDO2 was the method",
  key: "the key used is the one named",
  policy: "the dedicated policy applied, and no other",
  alert: "the sign-in alert fired within alert.maxDelay",
  confirmed: "a person received the alert",
} as const;

/** A drill that finished and succeeded: what proves an account (and its keys) still work. */
export const isSuccessfulDrill = (r: {
  kind: string;
  outcome?: string | null;
  finishedAt?: string | null;
}): boolean => r.kind === "drill" && r.outcome === "success" && !!r.finishedAt;
