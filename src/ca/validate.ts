/**
 * What a Conditional Access policy must hold for the engine and the checks to interpret it (Graph's
 * conditionalAccessPolicy). A policy that fails is malformed: the engine lets it apply only as
 * MAYBE, so every verdict it could affect is undecided (`unknown`), never a pass and never ignored;
 * `ca check-change` refuses such a policy file. Enumerations are compared case-insensitively, as the
 * engine reads them; a value outside them (a typo, or a control newer than this tool) cannot be
 * interpreted.
 */
import { z } from "zod";
import { CLIENT_APP_TYPES, INSIDER_RISK_LEVELS, PLATFORMS, RISK_LEVELS } from "./types.js";

const oneOf = (values: readonly string[]) => {
  const allowed = new Set(values.map((v) => v.toLowerCase()));
  return z
    .string()
    .refine((v) => allowed.has(v.toLowerCase()), { message: `expected one of ${values.join(", ")}` });
};
const ids = z.array(z.string()).nullish();
const listOf = (values: readonly string[]) => z.array(oneOf(values)).nullish();
/** A flags enum, which Graph sends as one comma-separated string (`"minor,moderate"`), or a list. */
const flagsOf = (values: readonly string[]) => {
  const allowed = new Set(values.map((v) => v.toLowerCase()));
  return z
    .union([
      z.string().refine((v) => v.split(",").every((x) => !x.trim() || allowed.has(x.trim().toLowerCase())), {
        message: `expected one or more of ${values.join(", ")}`,
      }),
      z.array(oneOf(values)),
    ])
    .nullish();
};

const Guests = z
  .looseObject({
    guestOrExternalUserTypes: z.union([z.string(), z.array(z.string())]).nullish(),
    externalTenants: z.looseObject({ membershipKind: z.string().nullish(), members: ids }).nullish(),
  })
  .nullish();

const Users = z.looseObject({
  includeUsers: ids,
  excludeUsers: ids,
  includeGroups: ids,
  excludeGroups: ids,
  includeRoles: ids,
  excludeRoles: ids,
  includeGuestsOrExternalUsers: Guests,
  excludeGuestsOrExternalUsers: Guests,
});

const Filter = z.looseObject({ mode: oneOf(["include", "exclude"]), rule: z.string() });

const Applications = z.looseObject({
  includeApplications: ids,
  excludeApplications: ids,
  includeUserActions: ids,
  includeAuthenticationContextClassReferences: ids,
  applicationFilter: Filter.nullish(),
});

const Conditions = z
  .looseObject({
    users: Users.nullish(),
    clientApplications: z.looseObject({}).nullish(),
    applications: Applications,
    clientAppTypes: listOf(["all", ...CLIENT_APP_TYPES]),
    platforms: z
      .looseObject({
        includePlatforms: listOf(["all", ...PLATFORMS.filter((p) => p !== "unknown")]),
        excludePlatforms: listOf(["all", ...PLATFORMS.filter((p) => p !== "unknown")]),
      })
      .nullish(),
    locations: z.looseObject({ includeLocations: ids, excludeLocations: ids }).nullish(),
    signInRiskLevels: listOf(RISK_LEVELS),
    userRiskLevels: listOf(RISK_LEVELS),
    insiderRiskLevels: flagsOf(INSIDER_RISK_LEVELS),
    devices: z.looseObject({ deviceFilter: Filter.nullish() }).nullish(),
    deviceStates: z.looseObject({ excludeStates: listOf(["compliant", "domainJoined"]) }).nullish(),
    authenticationFlows: z.looseObject({ transferMethods: z.string().nullish() }).nullish(),
  })
  .superRefine((c, out) => {
    // A user policy names its users; a workload identity policy names client applications instead.
    if (!c.users && !c.clientApplications)
      out.addIssue({
        code: "custom",
        path: ["users"],
        message: "missing (no users and no clientApplications)",
      });
  });

const BUILT_IN_CONTROLS = [
  "block",
  "mfa",
  "compliantDevice",
  "domainJoinedDevice",
  "approvedApplication",
  "compliantApplication",
  "passwordChange",
  "riskRemediation",
];

const GrantControls = z.looseObject({
  operator: oneOf(["AND", "OR"]).nullish(),
  builtInControls: listOf(BUILT_IN_CONTROLS),
  customAuthenticationFactors: ids,
  termsOfUse: ids,
  authenticationStrength: z.looseObject({ id: z.string() }).nullish(),
});

const Policy = z.looseObject({
  id: z.string().optional(),
  displayName: z.string().nullish(),
  state: z.string(),
  conditions: Conditions,
  grantControls: GrantControls.nullish(),
  sessionControls: z.looseObject({}).nullish(),
});

/** A policy the engine can read: the fields it interprets typed, every other one kept as it came. */
export type ReadablePolicy = z.infer<typeof Policy>;
export type PolicyConditions = ReadablePolicy["conditions"];
export type PolicyUsers = NonNullable<PolicyConditions["users"]>;

/** The policy typed, or what is wrong with it (one `field: problem` line each). */
export function readPolicy(
  raw: unknown,
): { policy: ReadablePolicy; problems: [] } | { policy?: undefined; problems: string[] } {
  const result = Policy.safeParse(raw, { reportInput: true });
  if (result.success) return { policy: result.data, problems: [] };
  const problems = result.error.issues.map((i) => {
    const at = i.path.map(String).join(".");
    const said =
      i.code === "invalid_type" && i.input === undefined
        ? "missing"
        : i.code === "invalid_type"
          ? `expected ${i.expected}, got ${i.input === null ? "null" : typeof i.input}`
          : i.message;
    return at ? `${at}: ${said}` : said;
  });
  return { problems };
}

/** What is wrong with a policy, one `field: problem` line each; empty when the engine can read it. */
export const policyProblems = (raw: unknown): string[] => readPolicy(raw).problems;
