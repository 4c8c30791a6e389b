/**
 * A Graph sign-in as the Log Analytics tables hold it (`SigninLogs` for interactive sign-ins,
 * `AADNonInteractiveUserSignInLogs` for the others), the rows the emulator's alert rules query.
 * Column names and types follow the Azure Monitor table reference: `ResultType` is a string,
 * `TimeGenerated` and `CreatedDateTime` are datetimes, `AuthenticationDetails` is a JSON string
 * (KQL needs `parse_json` on it), the other nested columns are dynamic.
 */
import type { LogRow, Value } from "../kql/index.js";

export const SIGNIN_TABLES = {
  SignInLogs: "SigninLogs",
  NonInteractiveUserSignInLogs: "AADNonInteractiveUserSignInLogs",
} as const;

type Wire = Record<string, unknown>;

/** The diagnostic-setting category of a Graph sign-in. */
export function categoryOf(signIn: Wire): keyof typeof SIGNIN_TABLES {
  const types = signIn.signInEventTypes;
  const interactive =
    Array.isArray(types) && types.length ? types.includes("interactiveUser") : signIn.isInteractive !== false;
  return interactive ? "SignInLogs" : "NonInteractiveUserSignInLogs";
}

const dyn = (v: unknown): Value => (v === undefined ? null : (structuredClone(v) as Value));
const str = (v: unknown): string => (v === undefined || v === null ? "" : String(v));

export function signInRow(signIn: Wire, tenantId: string, ingestedAt: number): LogRow {
  const category = categoryOf(signIn);
  const status = (signIn.status ?? {}) as Wire;
  const location = (signIn.location ?? {}) as Wire;
  const created = new Date(Date.parse(str(signIn.createdDateTime)));
  return {
    ingestedAt,
    columns: {
      TenantId: tenantId,
      SourceSystem: "Azure AD",
      TimeGenerated: created,
      ResourceId: `/tenants/${tenantId}/providers/Microsoft.aadiam`,
      OperationName: "Sign-in activity",
      OperationVersion: "1.0",
      Category: category,
      ResultType: str(status.errorCode ?? 0),
      ResultSignature: "None",
      ResultDescription: Number(status.errorCode ?? 0) === 0 ? "" : str(status.failureReason),
      DurationMs: 0,
      CorrelationId: str(signIn.correlationId),
      Resource: "Microsoft.aadiam",
      ResourceGroup: "Microsoft.aadiam",
      Identity: str(signIn.userDisplayName),
      Level: "4",
      Location: str(location.countryOrRegion),
      AppDisplayName: str(signIn.appDisplayName),
      AppId: str(signIn.appId),
      AuthenticationDetails: JSON.stringify(signIn.authenticationDetails ?? []),
      AuthenticationMethodsUsed: JSON.stringify(signIn.authenticationMethodsUsed ?? []),
      AuthenticationRequirement: str(signIn.authenticationRequirement),
      ClientAppUsed: str(signIn.clientAppUsed),
      ConditionalAccessPolicies: dyn(signIn.appliedConditionalAccessPolicies ?? []),
      ConditionalAccessStatus: str(signIn.conditionalAccessStatus),
      CreatedDateTime: created,
      DeviceDetail: dyn(signIn.deviceDetail ?? {}),
      IsInteractive: category === "SignInLogs",
      Id: str(signIn.id),
      IPAddress: str(signIn.ipAddress),
      LocationDetails: dyn(location),
      OriginalRequestId: str(signIn.originalRequestId),
      ResourceDisplayName: str(signIn.resourceDisplayName),
      ResourceIdentity: str(signIn.resourceId),
      RiskDetail: str(signIn.riskDetail),
      RiskLevelAggregated: str(signIn.riskLevelAggregated),
      RiskLevelDuringSignIn: str(signIn.riskLevelDuringSignIn),
      RiskState: str(signIn.riskState),
      Status: dyn(status),
      TokenIssuerType: str(signIn.tokenIssuerType),
      UserAgent: str(signIn.userAgent),
      UserDisplayName: str(signIn.userDisplayName),
      UserId: str(signIn.userId),
      UserPrincipalName: str(signIn.userPrincipalName),
      UserType: signIn.userType === "guest" ? "Guest" : "Member",
      HomeTenantId: str(signIn.homeTenantId),
      ResourceTenantId: str(signIn.resourceTenantId),
      SessionId: str(signIn.sessionId),
      Type: SIGNIN_TABLES[category],
    },
  };
}
