/**
 * Counter-examples in words and as What If request bodies, so a reader can replay one against
 * Graph (`POST identity/conditionalAccess/evaluate`) and see the same policies apply.
 */
import { OTHER_ADMIN_PORTAL, OTHER_APP, resourceOf } from "./catalogue.js";
import type { Outcome } from "./engine.js";
import type { CounterExample } from "./prover.js";
import type { SignIn } from "./types.js";

export function describeSignIn(s: SignIn): string {
  const t = s.target;
  const target =
    t.kind === "app"
      ? resourceOf(t.appId).name
      : t.kind === "userAction"
        ? `the user action ${t.action}`
        : `authentication context ${t.value}`;
  const loc = s.location;
  // A scenario pairs a sample IP with a country independently, so the IP is shown only where no
  // country is claimed for it (the What If body, whatIfRequestOf, carries both for a replay).
  const where = [
    loc.ip && !loc.country ? `IP ${loc.ip}` : undefined,
    loc.country === null ? "unknown country" : loc.country ? `country ${loc.country}` : undefined,
    loc.mfaTrustedIp ? "inside the MFA trusted IPs" : undefined,
  ]
    .filter(Boolean)
    .join(", ");
  const device = s.device === null ? "unregistered device" : `device ${JSON.stringify(s.device.attributes)}`;
  return (
    `${target} from ${s.clientAppType} on ${s.platform}, ${where || "any location"}, ${device}, ` +
    `sign-in risk ${s.signInRisk}, user risk ${s.userRisk}` +
    (s.insiderRisk !== "none" ? `, insider risk ${s.insiderRisk}` : "") +
    (s.authFlow !== "none" ? `, flow ${s.authFlow}` : "")
  );
}

export function describeOutcome(o: Outcome): string {
  if (o.verdict === "blocked")
    return `blocked by ${o.blockedBy.map((b) => `"${b.displayName}"${b.definite ? "" : " (may apply)"}`).join(", ")}`;
  if (o.verdict === "allowed") return "allowed";
  const unmet = o.requirements
    .filter((r) => !r.met)
    .map(
      (r) =>
        `"${r.displayName}"${r.definite ? "" : " (may apply)"} requires ${r.atoms
          .map((a) => a.why)
          .join(r.operator === "OR" ? " or " : " and ")}`,
    );
  if (o.mandatoryMfa && !o.mandatoryMfa.ok)
    unmet.push(`Microsoft's mandatory MFA for admin portals: ${o.mandatoryMfa.why}`);
  return `refused: ${unmet.join("; ")}`;
}

export function describeCounterExample(c: CounterExample): string {
  const who = c.userPrincipalName ?? c.userId;
  const roles = c.activatedRoles.length ? ` (after activating ${c.activatedRoles.join(", ")})` : "";
  const paths = c.paths.map((p) => `"${p.displayName}" ${p.path}`).join("; ");
  return `${who}${roles}, ${describeSignIn(c.signIn)}: ${describeOutcome(c.outcome)}${paths ? ` [${paths}]` : ""}`;
}

/** The What If request body that replays this sign-in (stand-in app ids become a real admin portal). */
export function whatIfRequestOf(userId: string, s: SignIn): Record<string, unknown> {
  const t = s.target;
  const appId =
    t.kind === "app"
      ? t.appId === OTHER_ADMIN_PORTAL || t.appId === OTHER_APP
        ? undefined
        : t.appId
      : undefined;
  const signInContext =
    t.kind === "app"
      ? { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [appId ?? t.appId] }
      : t.kind === "userAction"
        ? { "@odata.type": "#microsoft.graph.userActionContext", userAction: t.action }
        : { "@odata.type": "#microsoft.graph.authContext", authenticationContextValue: t.value };
  const conditions: Record<string, unknown> = {
    devicePlatform: s.platform === "unknown" ? undefined : s.platform,
    clientAppType: s.clientAppType,
    signInRiskLevel: s.signInRisk,
    userRiskLevel: s.userRisk,
    insiderRiskLevel: s.insiderRisk === "none" ? undefined : s.insiderRisk,
    ipAddress: s.location.ip,
    country: s.location.country ?? undefined,
    deviceInfo: s.device ? s.device.attributes : undefined,
    authenticationFlow: s.authFlow === "none" ? undefined : { transferMethod: s.authFlow },
  };
  for (const k of Object.keys(conditions)) if (conditions[k] === undefined) delete conditions[k];
  return {
    signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId },
    signInContext,
    signInConditions: conditions,
    appliedPoliciesOnly: true,
  };
}
