/**
 * Authentication-methods reports: `reports/authenticationMethods/userRegistrationDetails`, one row
 * per user computed from the user's stored methods (Graph's "List userRegistrationDetails" and
 * "userRegistrationDetails resource type" references).
 *
 * What Graph documents, and so what is served (v1.0 and beta, which adds `defaultMfaMethod`):
 *  - only `$filter` and `$orderby`; `$top`, `$select`, `$count`, `$skip` are refused with 400, and
 *    the page size is Graph's to choose (1,000 here; the reference names none);
 *  - `$filter` on isMfaCapable, isMfaRegistered, isPasswordlessCapable, isSsprCapable,
 *    isSsprEnabled, isSsprRegistered, isSystemPreferredAuthenticationMethodEnabled (`eq`),
 *    methodsRegistered and systemPreferredAuthenticationMethods (`any` with `eq`),
 *    userPreferredMethodForSecondaryAuthentication (`eq`), userPrincipalName and userDisplayName
 *    (`eq`, `startsWith`); anything else (isAdmin, userType, `ne`, `in`...) is refused with 400;
 *  - "This method doesn't work for disabled users": a disabled user has no row;
 *  - the reports throttling family, AuditLog.Read.All.
 *
 * A user whose methods the snapshot does not hold (export read them for nobody else) has no row
 * unless the snapshot carries the row itself (`registrationDetails`): the emulator never invents
 * what a user registered.
 */
import { AUTHENTICATOR_PASSKEY_AAGUIDS, methodType } from "../../../src/snapshot/registration.js";
import type { Wire } from "../odata/query.js";
import { P } from "../permissions.js";
import type { CollectionSpec } from "../odata/query.js";
import { EQ, EQ_START } from "../specs.js";
import type { Entity, TenantStore } from "../tenant-store.js";
import { BOTH, collectionRoutes, type RouteContext, type RouteDef } from "./route.js";
import { badRequest, strip } from "./support.js";

/** Rows per page: Graph documents no `$top` for this report and no page size. */
export const REGISTRATION_PAGE = 1000;

/** methodsRegistered values of one stored method (Graph's names differ from the method types). */
function registeredValues(m: Wire): string[] {
  switch (methodType(m)) {
    case "fido2": {
      const aaguid = String(m.aaGuid ?? "").toLowerCase();
      return AUTHENTICATOR_PASSKEY_AAGUIDS.has(aaguid)
        ? ["passKeyDeviceBoundAuthenticator"]
        : ["passKeyDeviceBound"];
    }
    case "phone":
      return [
        m.phoneType === "alternateMobile"
          ? "alternateMobilePhone"
          : m.phoneType === "office"
            ? "officePhone"
            : "mobilePhone",
      ];
    case "microsoftAuthenticator":
      // createdDateTime is set only when the app is registered for passwordless phone sign-in
      return m.createdDateTime
        ? ["microsoftAuthenticatorPush", "microsoftAuthenticatorPasswordless"]
        : ["microsoftAuthenticatorPush"];
    case "softwareOath":
      return ["softwareOneTimePasscode"];
    case "hardwareOath":
      return ["hardwareOneTimePasscode"];
    case "windowsHelloForBusiness":
      return ["windowsHelloForBusiness"];
    case "platformCredential":
      return ["macOsSecureEnclaveKey"];
    case "email":
      return ["email"];
    case "temporaryAccessPass":
      return ["temporaryAccessPass"];
    default:
      return [];
  }
}

const MFA = new Set([
  "mobilePhone",
  "alternateMobilePhone",
  "officePhone",
  "microsoftAuthenticatorPush",
  "microsoftAuthenticatorPasswordless",
  "softwareOneTimePasscode",
  "hardwareOneTimePasscode",
  "passKeyDeviceBound",
  "passKeyDeviceBoundAuthenticator",
  "windowsHelloForBusiness",
  "macOsSecureEnclaveKey",
]);
const PASSWORDLESS = new Set([
  "passKeyDeviceBound",
  "passKeyDeviceBoundAuthenticator",
  "windowsHelloForBusiness",
  "microsoftAuthenticatorPasswordless",
  "macOsSecureEnclaveKey",
]);
const SSPR = new Set([
  "mobilePhone",
  "alternateMobilePhone",
  "officePhone",
  "email",
  "microsoftAuthenticatorPush",
]);

/** The users holding a directory role (active assignments; Graph's isAdmin is not documented further). */
function admins(store: TenantStore): Set<string> {
  const out = new Set<string>();
  for (const a of [...store.roleAssignments.list(), ...store.roleAssignmentSchedules.list()])
    if (typeof a.principalId === "string") out.add(a.principalId.toLowerCase());
  return out;
}

function rowOf(store: TenantStore, u: Entity, isAdmin: boolean): Wire {
  const methods = (u.authenticationMethods as Wire[]).filter((m) => !!m && typeof m === "object");
  const registered = [...new Set(methods.flatMap(registeredValues))];
  const has = (set: ReadonlySet<string>) => registered.some((v) => set.has(v));
  const preferred = registered.includes("microsoftAuthenticatorPush")
    ? "push"
    : registered.includes("softwareOneTimePasscode")
      ? "oath"
      : registered.includes("mobilePhone")
        ? "sms"
        : "";
  const ssprEnabled =
    (store.snapshot.authorizationPolicy as { allowedToUseSSPR?: unknown } | undefined)?.allowedToUseSSPR ===
    true;
  return {
    id: u.id,
    userPrincipalName: u.userPrincipalName ?? null,
    userDisplayName: u.displayName ?? null,
    userType: String(u.userType ?? "Member").toLowerCase() === "guest" ? "guest" : "member",
    isAdmin,
    isSsprRegistered: has(SSPR),
    isSsprEnabled: ssprEnabled,
    isSsprCapable: ssprEnabled && has(SSPR),
    isMfaRegistered: has(MFA),
    isMfaCapable: has(MFA),
    isPasswordlessCapable: has(PASSWORDLESS),
    isSystemPreferredAuthenticationMethodEnabled: true,
    lastUpdatedDateTime: store.tenant.capturedAt,
    methodsRegistered: registered,
    systemPreferredAuthenticationMethods: preferred ? [preferred] : [],
    userPreferredMethodForSecondaryAuthentication: preferred,
  };
}

/** Every enabled user's row: computed from the stored methods, else the snapshot's own row. */
export function registrationRows(store: TenantStore): Wire[] {
  const given = new Map(
    ((store.snapshot.registrationDetails ?? []) as Wire[]).map((r) => [String(r.id).toLowerCase(), r]),
  );
  const adminIds = admins(store);
  const out: Wire[] = [];
  for (const u of store.users.list()) {
    if (u.accountEnabled === false) continue;
    if (Array.isArray(u.authenticationMethods)) out.push(rowOf(store, u, adminIds.has(u.id.toLowerCase())));
    else {
      const row = given.get(u.id.toLowerCase());
      if (row) out.push(row);
    }
  }
  return out;
}

/** beta's `defaultMfaMethod` (a defaultMfaMethodType: none, mobilePhone, ..., softwareOneTimePasscode). */
function withDefaultMfaMethod(row: Wire): Wire {
  if (row.defaultMfaMethod !== undefined) return row;
  const registered = Array.isArray(row.methodsRegistered) ? (row.methodsRegistered as unknown[]) : [];
  const first = [
    "microsoftAuthenticatorPush",
    "softwareOneTimePasscode",
    "mobilePhone",
    "alternateMobilePhone",
    "officePhone",
  ].find((m) => registered.includes(m));
  return { ...row, defaultMfaMethod: first ?? "none" };
}

const BOOL_EQ = EQ;

export const REGISTRATION_DETAILS_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.userRegistrationDetails",
  directoryObject: false,
  filter: {
    isMfaCapable: BOOL_EQ,
    isMfaRegistered: BOOL_EQ,
    isPasswordlessCapable: BOOL_EQ,
    isSsprCapable: BOOL_EQ,
    isSsprEnabled: BOOL_EQ,
    isSsprRegistered: BOOL_EQ,
    isSystemPreferredAuthenticationMethodEnabled: BOOL_EQ,
    methodsRegistered: ["any", "eq"],
    systemPreferredAuthenticationMethods: ["any", "eq"],
    userPreferredMethodForSecondaryAuthentication: EQ,
    userPrincipalName: EQ_START,
    userDisplayName: EQ_START,
  },
  orderby: ["userPrincipalName", "userDisplayName"],
  top: { default: REGISTRATION_PAGE, max: REGISTRATION_PAGE, overMax: "cap" },
};

/** `$top` is not among the report's query options: the layer would otherwise honour it. */
function refuseTop(ctx: RouteContext) {
  return ctx.req.query.has("$top")
    ? badRequest(ctx.req, "Query option '$top' is not allowed on microsoft.graph.userRegistrationDetails.")
    : undefined;
}

export const reportRoutes: RouteDef[] = collectionRoutes({
  path: "/reports/authenticationMethods/userRegistrationDetails",
  context: "reports/authenticationMethods/userRegistrationDetails",
  versions: BOTH,
  family: "reports",
  permissions: P.auditLogs,
  section: "registrationDetails",
  spec: REGISTRATION_DETAILS_SPEC,
  source: (ctx) => registrationRows(ctx.store),
  view: (ctx) => (ctx.req.version === "beta" ? withDefaultMfaMethod : (e) => strip(e, ["defaultMfaMethod"])),
  notFoundCode: "itemNotFound",
  listGuard: refuseTop,
  doc: {
    list: {
      query:
        "$filter (isMfaCapable, isMfaRegistered, isPasswordlessCapable, isSsprCapable, isSsprEnabled, isSsprRegistered, isSystemPreferredAuthenticationMethodEnabled, userPreferredMethodForSecondaryAuthentication eq; methodsRegistered, systemPreferredAuthenticationMethods any(m: m eq '...'); userPrincipalName, userDisplayName eq/startsWith; anything else, isAdmin and userType included, 400), $orderby userPrincipalName/userDisplayName; no $top/$select/$count (400). One row per enabled user whose methods the snapshot holds (else the snapshot's registrationDetails row)",
      page: `${REGISTRATION_PAGE} (server-chosen; no $top)`,
    },
    get: { query: "none" },
  },
});
