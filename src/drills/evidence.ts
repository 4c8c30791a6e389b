/**
 * The evidence of a drill (docs/drills.md "Evidence"), decided from what was read: the
 * account's sign-ins in the window (Graph beta, with `authenticationDetails` and
 * `appliedConditionalAccessPolicies`), its FIDO2 keys at start and finish (beta `lastUsedDateTime`:
 * the log never names the key) and the alerts Azure Monitor raised. Pure. Every item is pass, fail
 * or unknown with the reason; nothing unread is guessed.
 */
import { EVIDENCE, type AccessRecord, type EvidenceItem, type KeyReading } from "../records/access.js";

export interface SignInRecord {
  id: string;
  userId?: string | null;
  createdDateTime?: string | null;
  isInteractive?: boolean | null;
  status?: { errorCode?: number | null; failureReason?: string | null } | null;
  ipAddress?: string | null;
  appDisplayName?: string | null;
  authenticationDetails?: Array<{ authenticationMethod?: string | null; succeeded?: boolean | null }> | null;
  appliedConditionalAccessPolicies?: Array<{
    id?: string | null;
    displayName?: string | null;
    result?: string | null;
  }> | null;
}

/** An Azure Monitor alert as the alerts API returns it (`properties.essentials`). */
export interface AlertRecord {
  id?: string;
  name?: string;
  properties?: {
    essentials?: {
      alertRule?: string | null;
      startDateTime?: string | null;
      severity?: string | null;
    } | null;
  } | null;
}

export interface DrillReadings {
  /** sign-ins of the account between start and finish; undefined: could not be read (with why) */
  signIns: SignInRecord[] | { unreadable: string };
  /** the account's FIDO2 keys at finish */
  keysAtFinish: KeyReading[] | { unreadable: string };
  /** alerts of the window; undefined when no workspace is configured */
  alerts: AlertRecord[] | { unreadable: string };
}

export interface DrillContext {
  /** the custody key the drill names (method id and AAGUID as registered), if registered */
  key?: { label: string; methodId?: string; aaGuid?: string };
  /** ids of the dedicated emergency policies (lower case) */
  dedicatedPolicyIds: readonly string[];
  /** resource ids (lower case) of the sign-in alert rules */
  signInRuleIds: readonly string[];
  /** the longest an alert may take after the sign-in (ms) */
  maxAlertDelayMs: number;
  alertReceivedAt?: string;
}

const PHISHING_RESISTANT =
  /^(fido2 security key|passkey.*|windows hello for business|certificate-based authentication.*)$/i;
const FIDO2 = /^(fido2 security key|passkey.*)$/i;

const unreadable = <T>(x: T[] | { unreadable: string }): x is { unreadable: string } => !Array.isArray(x);
const item = (
  key: keyof typeof EVIDENCE,
  status: EvidenceItem["status"],
  reason: string,
  details?: Record<string, unknown>,
): EvidenceItem => ({
  item: EVIDENCE[key],
  status,
  reason,
  ...(details ? { details } : {}),
});

const time = (s: string | null | undefined) => (s ? new Date(s).getTime() : Number.NaN);

export function drillEvidence(
  record: AccessRecord,
  finishedAt: string,
  readings: DrillReadings,
  ctx: DrillContext,
): { evidence: EvidenceItem[]; outcome: NonNullable<AccessRecord["outcome"]> } {
  const start = time(record.startedAt);
  const end = time(finishedAt);
  const evidence: EvidenceItem[] = [];

  // 1. the sign-in
  let signIn: SignInRecord | undefined;
  if (unreadable(readings.signIns))
    evidence.push(
      item("signIn", "unknown", `the sign-ins could not be read: ${readings.signIns.unreadable}`),
    );
  else {
    const inWindow = readings.signIns.filter((s) => {
      const t = time(s.createdDateTime);
      return (
        s.userId?.toLowerCase() === record.account.id.toLowerCase() &&
        t >= start &&
        t <= end &&
        s.isInteractive !== false
      );
    });
    const ok = inWindow.filter((s) => (s.status?.errorCode ?? 0) === 0);
    signIn = ok.at(-1);
    if (signIn)
      evidence.push(
        item(
          "signIn",
          "pass",
          `signed in at ${signIn.createdDateTime} from ${signIn.ipAddress ?? "?"} to ${signIn.appDisplayName ?? "?"}`,
          { signInId: signIn.id },
        ),
      );
    else if (inWindow.length)
      evidence.push(
        item(
          "signIn",
          "fail",
          `${inWindow.length} interactive sign-in(s) in the window, none successful (error ${inWindow.at(-1)!.status?.errorCode})`,
        ),
      );
    else
      evidence.push(
        item(
          "signIn",
          "fail",
          "no interactive sign-in of the account in the window (sign-ins can take up to a few minutes to appear; finish again later if it was just now)",
        ),
      );
  }

  // 2. the method
  if (!signIn) evidence.push(item("fido2", "unknown", "no successful sign-in to read the method from"));
  else if (!signIn.authenticationDetails?.length)
    evidence.push(
      item("fido2", "unknown", "the sign-in has no authenticationDetails (read through the beta API)"),
    );
  else {
    const methods = signIn.authenticationDetails
      .filter((d) => d.succeeded !== false)
      .map((d) => d.authenticationMethod ?? "");
    const details = { methods };
    if (methods.some((m) => FIDO2.test(m)) && !methods.some((m) => /^password$/i.test(m)))
      evidence.push(item("fido2", "pass", `the sign-in used ${methods.join(", ")}`, details));
    else if (methods.some((m) => PHISHING_RESISTANT.test(m) || /previously satisfied/i.test(m)))
      evidence.push(
        item(
          "fido2",
          "unknown",
          `the sign-in used ${methods.join(", ")}: not shown to be a FIDO2 key`,
          details,
        ),
      );
    else
      evidence.push(
        item(
          "fido2",
          "fail",
          `the sign-in used ${methods.join(", ") || "no recorded method"}, not a FIDO2 key`,
          details,
        ),
      );
  }

  // 3. the key, from the keys' last use (the log never names it)
  const before = new Map(
    record.keysAtStart.map((k) => [k.methodId.toLowerCase(), k.lastUsedDateTime ?? null]),
  );
  if (!ctx.key) evidence.push(item("key", "unknown", "the drill names no key registered in custody.yaml"));
  else if (unreadable(readings.keysAtFinish))
    evidence.push(item("key", "unknown", `the keys could not be read: ${readings.keysAtFinish.unreadable}`));
  else {
    const moved = readings.keysAtFinish.filter((k) => {
      const t = time(k.lastUsedDateTime);
      return t >= start && t <= end && (k.lastUsedDateTime ?? null) !== before.get(k.methodId.toLowerCase());
    });
    const named = ctx.key;
    const isNamed = (k: KeyReading) =>
      named.methodId
        ? k.methodId.toLowerCase() === named.methodId.toLowerCase()
        : !!named.aaGuid && (k.aaGuid ?? "").toLowerCase() === named.aaGuid.toLowerCase();
    const details = {
      moved: moved.map((k) => ({
        methodId: k.methodId,
        aaGuid: k.aaGuid ?? null,
        lastUsedDateTime: k.lastUsedDateTime ?? null,
      })),
    };
    if (moved.length === 1 && isNamed(moved[0]!))
      evidence.push(item("key", "pass", `only key ${named.label} was used in the window`, details));
    else if (moved.length === 1)
      evidence.push(
        item(
          "key",
          "fail",
          `another key (${moved[0]!.displayName ?? moved[0]!.methodId}) was used, not ${named.label}`,
          details,
        ),
      );
    else if (moved.length === 0)
      evidence.push(
        item(
          "key",
          "unknown",
          "no key's last use moved into the window (Entra updates lastUsedDateTime with a delay)",
          details,
        ),
      );
    else
      evidence.push(
        item(
          "key",
          "unknown",
          `${moved.length} keys were used in the window: which one signed in cannot be told`,
          details,
        ),
      );
  }

  // 4. the policies
  if (!signIn)
    evidence.push(item("policy", "unknown", "no successful sign-in to read the applied policies from"));
  else if (!signIn.appliedConditionalAccessPolicies)
    evidence.push(item("policy", "unknown", "the sign-in has no appliedConditionalAccessPolicies"));
  else {
    const applied = signIn.appliedConditionalAccessPolicies.filter(
      (p) => p.result === "success" || p.result === "failure",
    );
    const dedicated = applied.filter((p) => ctx.dedicatedPolicyIds.includes((p.id ?? "").toLowerCase()));
    const others = applied.filter((p) => !ctx.dedicatedPolicyIds.includes((p.id ?? "").toLowerCase()));
    const details = {
      applied: applied.map((p) => ({
        id: p.id ?? null,
        displayName: p.displayName ?? null,
        result: p.result ?? null,
      })),
    };
    if (dedicated.some((p) => p.result === "success") && others.length === 0)
      evidence.push(
        item(
          "policy",
          "pass",
          "the dedicated policy applied with success and no other policy applied",
          details,
        ),
      );
    else if (others.length)
      evidence.push(
        item(
          "policy",
          "fail",
          `other policies applied: ${others.map((p) => p.displayName ?? p.id).join(", ")}`,
          details,
        ),
      );
    else evidence.push(item("policy", "fail", "the dedicated policy did not apply with success", details));
  }

  // 5. the alert
  if (unreadable(readings.alerts))
    evidence.push(item("alert", "unknown", `the alerts could not be read: ${readings.alerts.unreadable}`));
  else if (!signIn) evidence.push(item("alert", "unknown", "no successful sign-in to match an alert to"));
  else {
    const at = time(signIn.createdDateTime);
    const fired = readings.alerts.filter((a) => {
      const e = a.properties?.essentials;
      const t = time(e?.startDateTime);
      return (
        ctx.signInRuleIds.includes((e?.alertRule ?? "").toLowerCase()) &&
        t >= at - 60_000 &&
        t <= at + ctx.maxAlertDelayMs
      );
    });
    if (fired.length)
      evidence.push(
        item(
          "alert",
          "pass",
          `the sign-in rule raised an alert at ${fired[0]!.properties!.essentials!.startDateTime}`,
          { alert: fired[0]!.id ?? null },
        ),
      );
    else if (!ctx.signInRuleIds.length)
      evidence.push(item("alert", "unknown", "no sign-in alert rule is known for the accounts (EA-MON-03)"));
    else
      evidence.push(
        item(
          "alert",
          "fail",
          `no alert of the sign-in rule within ${Math.round(ctx.maxAlertDelayMs / 60000)} minutes of the sign-in`,
        ),
      );
  }

  // 6. a person
  if (ctx.alertReceivedAt)
    evidence.push(item("confirmed", "pass", `a person received the alert at ${ctx.alertReceivedAt}`));
  else
    evidence.push(
      item("confirmed", "unknown", "no --alert-received-at: nobody recorded receiving the alert"),
    );

  const statusOf = (k: keyof typeof EVIDENCE) => evidence.find((e) => e.item === EVIDENCE[k])?.status;
  const outcome = evidence.some((e) => e.status === "fail")
    ? "failure"
    : statusOf("signIn") === "pass" && statusOf("fido2") === "pass" && statusOf("policy") === "pass"
      ? "success"
      : "incomplete";
  return { evidence, outcome };
}
