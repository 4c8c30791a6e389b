/**
 * `POST {graph}/_emulator/signIns { userId, aaGuid, methodId, ip, clientApp, app, country }`: a
 * person signs in, and the emulator records it as Entra would log it (drills, EA-MON-05 and the
 * alert rules read it back through `auditLogs/signIns`).
 *
 * - The method is FIDO2 when the request names a key (`methodId`, or an `aaGuid` that matches
 *   exactly one of the user's keys), else the password. Omitted fields take the values of an
 *   interactive browser sign-in to the Azure portal.
 * - Which Conditional Access policies applied comes from the CA What If engine (src/ca/whatif.ts)
 *   over the tenant as it is now (writes included); whether an applied policy's grant was met by
 *   the method used is the engine's `atomSatisfied` with a capability of that one method.
 * - The log names no key (Entra's does not): `authenticationDetails` says "FIDO2 security key" and
 *   nothing more. The key gets its `lastUsedDateTime` (beta) instead, which is how drills prove it.
 */
import { randomUUID } from "node:crypto";
import { atomSatisfied, CaEngine, evaluateWhatIf, WhatIfRequestError } from "../../../src/ca/index.js";
import type { Capability, ClientAppType, GrantAtom, SignIn } from "../../../src/ca/index.js";
import { Directory } from "../../../src/snapshot/directory.js";
import type { Snapshot } from "../../../src/snapshot/schema.js";
import type { Entity, Ref, TenantStore } from "../tenant-store.js";
import type { GraphResponse } from "../types.js";
import { FIDO2_TYPE, state, type Body, type WriteContext } from "./common.js";

const AZURE_PORTAL = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";
/** the resource the Azure portal signs in to */
const AZURE_MANAGEMENT = {
  id: "797f4846-ba00-4fd7-ba43-dac1f8f63013",
  name: "Windows Azure Service Management API",
};
/** a documentation address (RFC 5737), never a real person's */
const DEFAULT_IP = "198.51.100.7";
const BROWSER_AGENT =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0";

const APP_NAMES: Record<string, string> = {
  [AZURE_PORTAL]: "Azure Portal",
  "00000006-0000-0ff1-ce00-000000000000": "Microsoft 365 admin center",
  "de8bc8b5-d9f9-48b1-a8ad-b748da725064": "Graph Explorer",
  "04b07795-8ddb-461a-bbee-02f9e1bf7b46": "Microsoft Azure CLI",
};

/** sign-in log `clientAppUsed` -> What If `clientAppType` */
const CLIENT_APPS: Record<string, string> = {
  browser: "browser",
  "mobile apps and desktop clients": "mobileAppsAndDesktopClients",
  mobileappsanddesktopclients: "mobileAppsAndDesktopClients",
  "exchange activesync": "exchangeActiveSync",
  exchangeactivesync: "exchangeActiveSync",
  other: "other",
  "other clients": "other",
  imap: "other",
  pop: "other",
  smtp: "other",
  "authenticated smtp": "other",
};
const CLIENT_APP_USED: Record<string, string> = {
  browser: "Browser",
  mobileAppsAndDesktopClients: "Mobile Apps and Desktop clients",
  exchangeActiveSync: "Exchange ActiveSync",
  other: "Other clients",
};

/** Grant control names as the sign-in log spells them. */
const GRANT_NAMES: Record<GrantAtom["kind"], string> = {
  mfa: "Mfa",
  strength: "RequireAuthenticationStrength",
  compliantDevice: "RequireCompliantDevice",
  domainJoinedDevice: "RequireDomainJoinedDevice",
  approvedApplication: "RequireApprovedApp",
  compliantApplication: "RequireCompliantApp",
  passwordChange: "PasswordChange",
  riskRemediation: "RiskRemediation",
  termsOfUse: "TermsOfUse",
  custom: "CustomControl",
  unknown: "Unknown",
};

const BLOCKED = {
  errorCode: 53003,
  failureReason:
    "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
};
const DISABLED = {
  errorCode: 50057,
  failureReason: "User account is disabled. The account has been disabled by an administrator.",
};

function control(status: number, body: Body): GraphResponse {
  return { status, headers: { "content-type": "application/json" }, body };
}
const bad = (message: string) => control(400, { error: { code: "BadRequest", message } });

/** The tenant as it is now: the store's collections, writes included (the snapshot is the start state). */
export function currentSnapshot(store: TenantStore): Snapshot {
  return {
    ...store.snapshot,
    users: store.users.list(),
    groups: store.groups.list(),
    administrativeUnits: store.administrativeUnits.list(),
    roleDefinitions: store.roleDefinitions.list(),
    roleAssignments: store.roleAssignments.list(),
    roleAssignmentSchedules: store.roleAssignmentSchedules.list(),
    roleEligibilitySchedules: store.roleEligibilitySchedules.list(),
    conditionalAccessPolicies: store.conditionalAccessPolicies.list(),
    namedLocations: store.namedLocations.list(),
    authenticationStrengthPolicies: store.authenticationStrengthPolicies.list(),
    authenticationMethodsPolicy: store.authenticationMethodsPolicy,
  } as Snapshot;
}

interface Presented {
  mode: "fido2" | "password";
  key?: Ref;
}

function presentedMethod(ctx: WriteContext, user: Entity, body: Body): Presented | GraphResponse {
  const { methodId, aaGuid } = body;
  if (methodId === undefined && aaGuid === undefined) return { mode: "password" };
  if (methodId !== undefined && typeof methodId !== "string") return bad("methodId must be a string.");
  if (aaGuid !== undefined && typeof aaGuid !== "string") return bad("aaGuid must be a string.");
  const keys = ctx.store.authenticationMethods(user).filter((m) => m["@odata.type"] === FIDO2_TYPE);
  const matching = keys.filter(
    (k) =>
      (methodId === undefined || k.id === methodId) &&
      (aaGuid === undefined || String(k.aaGuid).toLowerCase() === (aaGuid as string).toLowerCase()),
  );
  if (matching.length === 0)
    return control(409, {
      error: { code: "Conflict", message: "The user has no FIDO2 key matching methodId/aaGuid." },
    });
  if (matching.length > 1)
    return bad("Several of the user's keys have this aaGuid: name the key by methodId.");
  return { mode: "fido2", key: matching[0]! };
}

interface AppliedPolicy {
  id: string;
  displayName: string;
  enforcedGrantControls: string[];
  enforcedSessionControls: string[];
  result: string;
  conditionsSatisfied: string;
  conditionsNotSatisfied: string;
  authenticationStrength?: Body | null;
}

function sessionControls(session: Record<string, unknown> | null): string[] {
  if (!session) return [];
  const names: Array<[string, string]> = [
    ["signInFrequency", "SignInFrequency"],
    ["persistentBrowser", "PersistentBrowserSessionMode"],
    ["applicationEnforcedRestrictions", "AppEnforcedRestrictions"],
    ["cloudAppSecurity", "CloudAppSecurity"],
  ];
  return names.filter(([k]) => (session[k] as { isEnabled?: boolean } | null)?.isEnabled).map(([, v]) => v);
}

/**
 * Every policy with its result for this sign-in, as the log lists them: `notEnabled` for disabled
 * ones, `notApplied` when What If says it does not apply, else `success`/`failure` by whether the
 * method presented meets the grant; report-only policies get the `reportOnly*` results.
 */
function evaluatePolicies(
  snapshot: Snapshot,
  whatIfBody: Body,
  signIn: SignIn,
  presented: Presented,
  userId: string,
): { applied: AppliedPolicy[]; blocked: boolean } {
  const directory = new Directory(snapshot);
  const engine = new CaEngine(snapshot, directory);
  const results = evaluateWhatIf(whatIfBody, snapshot, directory, engine);
  const method = presented.key
    ? { mode: presented.mode, aaguid: String(presented.key.aaGuid).toLowerCase(), enabled: true }
    : { mode: presented.mode, enabled: true };
  const cap: Capability = { userId, methods: [method], methodsPolicyRead: true, ssprRegistered: false };
  let blocked = false;
  const applied = engine.policies.map((p, i): AppliedPolicy => {
    const reportOnly = p.state === "reportOnly";
    const base = {
      id: p.id,
      displayName: p.displayName,
      enforcedGrantControls: [] as string[],
      enforcedSessionControls: [] as string[],
      conditionsSatisfied: "none",
      conditionsNotSatisfied: "none",
    };
    if (p.state === "disabled") return { ...base, result: "notEnabled" };
    if (!results[i]?.policyApplies)
      return { ...base, result: reportOnly ? "reportOnlyNotApplied" : "notApplied" };
    const g = p.grant;
    let met = true;
    if (g?.block) met = false;
    else if (g && g.atoms.length) {
      const ok = g.atoms.map((a) => atomSatisfied(a, cap, signIn, engine.strengths).ok);
      met = g.operator === "OR" ? ok.some(Boolean) : ok.every(Boolean);
    }
    if (!met && !reportOnly) blocked = true;
    const strength = (p.raw.grantControls as Body | null)?.authenticationStrength as Body | null | undefined;
    return {
      ...base,
      enforcedGrantControls: g?.block ? ["Block"] : (g?.atoms ?? []).map((a) => GRANT_NAMES[a.kind]),
      enforcedSessionControls: sessionControls(p.session),
      conditionsSatisfied: "application,users",
      result: reportOnly ? (met ? "reportOnlySuccess" : "reportOnlyFailure") : met ? "success" : "failure",
      ...(strength ? { authenticationStrength: strength } : {}),
    };
  });
  return { applied, blocked };
}

/** The authentication steps as `authenticationDetails` (beta) records them: the method's name, never the key. */
function authenticationDetails(presented: Presented, at: string, succeeded: boolean): Body[] {
  if (presented.mode === "fido2")
    return [
      {
        authenticationStepDateTime: at,
        authenticationMethod: "FIDO2 security key",
        authenticationMethodDetail: null,
        succeeded,
        authenticationStepResultDetail: succeeded ? "MFA successfully completed" : "MFA denied",
        authenticationStepRequirement: "Primary authentication",
      },
    ];
  return [
    {
      authenticationStepDateTime: at,
      authenticationMethod: "Password",
      authenticationMethodDetail: "Password in the cloud",
      succeeded: true,
      authenticationStepResultDetail: "Correct password",
      authenticationStepRequirement: "Primary authentication",
    },
  ];
}

export interface RecordedSignIn {
  response: GraphResponse;
  /** the stored sign-in, for the alert rules (undefined when refused) */
  signIn?: Body;
}

export function controlRecordSignIn(ctx: WriteContext): RecordedSignIn {
  const body = (ctx.req.body ?? {}) as Body;
  if (typeof body !== "object" || Array.isArray(body))
    return { response: bad("The body must be a JSON object.") };
  if (typeof body.userId !== "string" || body.userId === "")
    return { response: bad("userId (object id or userPrincipalName) is required.") };
  for (const f of ["ip", "clientApp", "app", "country"])
    if (body[f] !== undefined && typeof body[f] !== "string")
      return { response: bad(`${f} must be a string.`) };
  const user = ctx.store.users.get(body.userId);
  if (!user)
    return { response: control(404, { error: { code: "NotFound", message: `No user '${body.userId}'.` } }) };
  const presented = presentedMethod(ctx, user, body);
  if ("status" in presented) return { response: presented };
  const clientAppType = CLIENT_APPS[String(body.clientApp ?? "browser").toLowerCase()];
  if (!clientAppType)
    return { response: bad(`clientApp '${String(body.clientApp)}' is not a sign-in log client app.`) };
  const appId = String(body.app ?? AZURE_PORTAL).toLowerCase();
  const ip = String(body.ip ?? DEFAULT_IP);
  const country = typeof body.country === "string" ? body.country.toUpperCase() : undefined;

  const now = state(ctx).now();
  const at = new Date(now).toISOString();
  const whatIfBody: Body = {
    signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: user.id },
    signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [appId] },
    signInConditions: {
      clientAppType,
      devicePlatform: "windows",
      ipAddress: ip,
      ...(country ? { country } : {}),
    },
  };
  let evaluation: { applied: AppliedPolicy[]; blocked: boolean };
  try {
    const signIn: SignIn = {
      target: { kind: "app", appId },
      clientAppType: clientAppType as ClientAppType,
      platform: "windows",
      location: { ip, ...(country ? { country } : {}) },
      signInRisk: "none",
      userRisk: "none",
      insiderRisk: "none",
      device: null,
      authFlow: "none",
    };
    evaluation = evaluatePolicies(currentSnapshot(ctx.store), whatIfBody, signIn, presented, user.id);
  } catch (err) {
    if (err instanceof WhatIfRequestError) return { response: bad(err.message) };
    throw err;
  }
  const disabled = user.accountEnabled === false;
  const status = disabled
    ? { ...DISABLED, additionalDetails: null }
    : evaluation.blocked
      ? { ...BLOCKED, additionalDetails: null }
      : { errorCode: 0, failureReason: "Other.", additionalDetails: null };
  const succeeded = status.errorCode === 0;
  const anyApplied = evaluation.applied.some((p) => p.result === "success" || p.result === "failure");
  const tenantId = ctx.store.tenant.id;

  const record: Body & { id: string } = {
    id: randomUUID(),
    createdDateTime: at,
    userDisplayName: user.displayName ?? null,
    userPrincipalName: user.userPrincipalName ?? null,
    userId: user.id,
    userType: "member",
    appId,
    appDisplayName: APP_NAMES[appId] ?? appId,
    ipAddress: ip,
    clientAppUsed: CLIENT_APP_USED[clientAppType],
    userAgent: BROWSER_AGENT,
    correlationId: randomUUID(),
    conditionalAccessStatus: disabled
      ? "notApplied"
      : anyApplied
        ? evaluation.blocked
          ? "failure"
          : "success"
        : "notApplied",
    originalRequestId: randomUUID(),
    isInteractive: true,
    tokenIssuerName: "",
    tokenIssuerType: "AzureAD",
    clientCredentialType: "none",
    processingTimeInMilliseconds: 180,
    riskDetail: "none",
    riskLevelAggregated: "none",
    riskLevelDuringSignIn: "none",
    riskState: "none",
    riskEventTypes: [],
    riskEventTypes_v2: [],
    resourceDisplayName: AZURE_MANAGEMENT.name,
    resourceId: AZURE_MANAGEMENT.id,
    resourceTenantId: tenantId,
    homeTenantId: tenantId,
    homeTenantName: "",
    authenticationMethodsUsed: presented.mode === "fido2" ? ["FIDO2 security key"] : ["Password"],
    authenticationRequirement:
      presented.mode === "fido2" ? "multiFactorAuthentication" : "singleFactorAuthentication",
    signInIdentifier: user.userPrincipalName ?? null,
    signInIdentifierType: null,
    signInEventTypes: ["interactiveUser"],
    servicePrincipalId: "",
    federatedCredentialId: "",
    flaggedForReview: false,
    isTenantRestricted: false,
    crossTenantAccessType: "none",
    uniqueTokenIdentifier: randomUUID().replace(/-/g, "").slice(0, 22),
    incomingTokenType: "none",
    authenticationProtocol: "none",
    sessionId: randomUUID(),
    status,
    deviceDetail: {
      deviceId: "",
      displayName: "",
      operatingSystem: "Windows10",
      browser: "Edge 130.0.0",
      isCompliant: false,
      isManaged: false,
      trustType: "",
    },
    location: {
      city: "",
      state: "",
      countryOrRegion: country ?? "",
      geoCoordinates: { altitude: null, latitude: null, longitude: null },
    },
    appliedConditionalAccessPolicies: evaluation.applied,
    authenticationDetails: disabled
      ? []
      : authenticationDetails(presented, at, succeeded || presented.mode === "fido2"),
    authenticationRequirementPolicies: [],
    sessionLifetimePolicies: [],
  };
  // Graph lists sign-ins newest first: the new one goes before every older one
  ctx.store.signIns.putBefore(record, (e) => !(Date.parse(String(e.createdDateTime)) > now));
  if (presented.key && !disabled) {
    // the key was used (the assertion happened even if CA then refused the token)
    presented.key.lastUsedDateTime = at;
  }
  ctx.store.touch();
  return { response: control(201, record), signIn: record };
}
