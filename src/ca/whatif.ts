/**
 * Graph's Conditional Access What If (`POST identity/conditionalAccess/evaluate`, docs/graph-contract.md
 * §11; docs/ca-semantics.md §3) as a pure function of the request body and a snapshot, for the
 * emulator and `breakglass ca whatif`. Accepts the v1.0 shape (signInIdentity, signInContext,
 * signInConditions) and the older beta one (conditionalAccessWhatIfSubject,
 * conditionalAccessContext, conditionalAccessWhatIfConditions).
 *
 * Like the API: report-only policies are evaluated and may come back applying (check `state`);
 * a policy whose condition needs a signal the request does not give does not apply; no combined
 * verdict and no grant satisfiability (that is `combineOutcome`'s job).
 */
import { Directory } from "../snapshot/directory.js";
import { asObject, type JsonObject, prop } from "../snapshot/json.js";
import type { Snapshot } from "../snapshot/schema.js";
import { CaEngine, evaluatePolicy } from "./engine.js";
import { externalKindOf, identityOf } from "./identity.js";
import { type Dimension, reasonOf } from "./policy.js";
import {
  type AuthFlow,
  CLIENT_APP_TYPES,
  type ClientAppType,
  type Identity,
  INSIDER_RISK_LEVELS,
  type InsiderRiskLevel,
  NO,
  PLATFORMS,
  type Platform,
  RISK_LEVELS,
  type RiskLevel,
  type SignIn,
  type Target,
  USER_ACTIONS,
  type UserAction,
  YES,
} from "./types.js";

export class WhatIfRequestError extends Error {
  readonly status = 400;
  readonly code = "BadRequest";
}

export interface WhatIfResultItem extends Record<string, unknown> {
  policyApplies: boolean;
  analysisReasons: string;
}

export interface ParsedWhatIf {
  kind: "user" | "servicePrincipal";
  identity?: Identity;
  servicePrincipalId?: string;
  targets: Target[];
  signIn: SignIn;
  /** signals the request did not give: policies conditioned on them do not apply. */
  missing: Set<Dimension>;
  appliedPoliciesOnly: boolean;
}

const pick = <T extends string>(value: unknown, allowed: readonly T[], field: string): T | undefined => {
  if (value === undefined || value === null) return undefined;
  const hit = allowed.find((a) => a.toLowerCase() === String(value).toLowerCase());
  if (!hit) throw new WhatIfRequestError(`Invalid value '${String(value)}' for ${field}.`);
  return hit;
};

export function parseWhatIfRequest(body: JsonObject, directory: Directory): ParsedWhatIf {
  const given = {
    subject: body.signInIdentity ?? body.conditionalAccessWhatIfSubject,
    context: body.signInContext ?? body.conditionalAccessContext,
  };
  if (!given.subject) throw new WhatIfRequestError("signInIdentity is required.");
  if (!given.context) throw new WhatIfRequestError("signInContext is required.");
  // Present but not an object: read as one with no properties (each then says what it lacks).
  const subject = asObject(given.subject) ?? {};
  const context = asObject(given.context) ?? {};
  const cond = asObject(body.signInConditions ?? body.conditionalAccessWhatIfConditions) ?? {};
  const subjectType = String(subject["@odata.type"] ?? "").toLowerCase();
  const missing = new Set<Dimension>();

  let kind: ParsedWhatIf["kind"] = "user";
  let identity: Identity | undefined;
  let servicePrincipalId: string | undefined;
  if (subjectType.includes("serviceprincipal")) {
    kind = "servicePrincipal";
    servicePrincipalId = String(subject.servicePrincipalId ?? "");
  } else {
    const userId = String(subject.userId ?? "");
    if (!userId) throw new WhatIfRequestError("signInIdentity.userId is required.");
    const user = directory.user(userId);
    identity = user
      ? identityOf(directory, user.id)
      : { userId: userId.toLowerCase(), groups: new Set(), activeRoles: new Set() };
    if (subject.externalUserType) identity.externalKind = String(subject.externalUserType);
    else identity.externalKind ??= externalKindOf(user);
    if (subject.externalTenantId) identity.externalTenantId = String(subject.externalTenantId);
  }

  const contextType = String(context["@odata.type"] ?? "").toLowerCase();
  const targets: Target[] = [];
  if (contextType.endsWith("useractioncontext")) {
    const action = pick(context.userAction, Object.keys(USER_ACTIONS) as UserAction[], "userAction");
    if (!action) throw new WhatIfRequestError("userActionContext.userAction is required.");
    targets.push({ kind: "userAction", action });
  } else if (contextType.endsWith("authcontext")) {
    const value = context.authenticationContextValue;
    if (!value) throw new WhatIfRequestError("authContext.authenticationContextValue is required.");
    targets.push({ kind: "authContext", value: String(value) });
  } else {
    const apps = Array.isArray(context.includeApplications) ? context.includeApplications : [];
    if (!apps.length) throw new WhatIfRequestError("applicationContext.includeApplications is required.");
    for (const a of apps) targets.push({ kind: "app", appId: String(a) });
  }

  const platform = pick(cond.devicePlatform, [...PLATFORMS, "all"] as const, "devicePlatform");
  if (!platform || platform === "all") missing.add("platform");
  const clientAppType = pick(cond.clientAppType, [...CLIENT_APP_TYPES, "all"] as const, "clientAppType");
  if (!clientAppType || clientAppType === "all") missing.add("clientAppType");
  const ip = cond.ipAddress ? String(cond.ipAddress) : undefined;
  const country = cond.country ? String(cond.country).toUpperCase() : undefined;
  if (!ip && !country) missing.add("location");
  if (!cond.deviceInfo) missing.add("device");
  const flow = prop(cond.authenticationFlow, "transferMethod");
  const authFlow = (pick(
    flow,
    ["none", "deviceCodeFlow", "authenticationTransfer"] as const,
    "transferMethod",
  ) ?? "none") as AuthFlow;

  const signIn: SignIn = {
    target: targets[0]!,
    clientAppType: (clientAppType === "all" ? "browser" : (clientAppType ?? "browser")) as ClientAppType,
    platform: (platform === "all" ? "unknown" : (platform ?? "unknown")) as Platform,
    location: { ip, country },
    signInRisk: (pick(cond.signInRiskLevel, RISK_LEVELS, "signInRiskLevel") ?? "none") as RiskLevel,
    userRisk: (pick(cond.userRiskLevel, RISK_LEVELS, "userRiskLevel") ?? "none") as RiskLevel,
    insiderRisk: (pick(cond.insiderRiskLevel, INSIDER_RISK_LEVELS, "insiderRiskLevel") ??
      "none") as InsiderRiskLevel,
    // The device's attributes as the request gives them; the device filter reads each as it is.
    device: cond.deviceInfo
      ? { attributes: { ...(asObject(cond.deviceInfo) as Record<string, string | boolean | null>) } }
      : null,
    authFlow,
  };
  return {
    kind,
    identity,
    servicePrincipalId,
    targets,
    signIn,
    missing,
    appliedPoliciesOnly: body.appliedPoliciesOnly === true,
  };
}

/**
 * The evaluate response body's `value`: each policy in full plus `policyApplies` and
 * `analysisReasons`. Several applications in the context: a policy applies if it applies to any.
 */
export function evaluateWhatIf(
  body: JsonObject,
  snapshot: Snapshot,
  directory: Directory = new Directory(snapshot),
  engine: CaEngine = new CaEngine(snapshot, directory),
): WhatIfResultItem[] {
  const req = parseWhatIfRequest(body, directory);
  const out: WhatIfResultItem[] = [];
  for (const p of engine.policies) {
    let applies = false;
    let reason = "";
    if (req.kind === "servicePrincipal") {
      // Workload-identity policies are not modelled; user policies never match a service principal.
      reason =
        p.state === "disabled"
          ? "policyNotEnabled"
          : prop(p.raw.conditions, "clientApplications")
            ? "notEnoughInformation"
            : "workloadIdentities";
    } else {
      for (const target of req.targets) {
        const signIn = { ...req.signIn, target };
        const v = evaluatePolicy(p, req.identity!, signIn, "withReportOnly");
        let r: string = v.reason;
        let ok = v.applies === YES;
        if (v.applies !== NO) {
          const gap = [...p.constrains].find((d) => req.missing.has(d));
          if (gap) {
            ok = false;
            r = reasonOf(gap, target);
          } else if (v.applies !== YES) {
            ok = false;
            r = p.unmodelled.includes("times") ? "time" : "notEnoughInformation";
          }
        }
        if (ok) {
          applies = true;
          reason = "notSet";
          break;
        }
        if (!reason) reason = r;
      }
    }
    if (req.appliedPoliciesOnly && !applies) continue;
    out.push({ ...p.raw, policyApplies: applies, analysisReasons: applies ? "notSet" : reason });
  }
  return out;
}

/** The full HTTP response body, with the OData context Graph sends. */
export function whatIfResponse(body: JsonObject, snapshot: Snapshot, version: "v1.0" | "beta" = "v1.0") {
  return {
    "@odata.context": `https://graph.microsoft.com/${version}/$metadata#Collection(microsoft.graph.whatIfAnalysisResult)`,
    value: evaluateWhatIf(body, snapshot),
  };
}
