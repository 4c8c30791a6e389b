/**
 * The configuration file (docs/config.md). Every key is optional; unknown keys are errors.
 * The JSON Schema shipped in schemas/ is generated from this definition.
 */
import { z } from "zod";
import { patternProblem } from "./pattern.js";

const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const isoDuration = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

const range = (min: number, max: number) =>
  z
    .strictObject({ min: z.number().int().min(0).default(min), max: z.number().int().min(1).default(max) })
    .refine((r) => r.min <= r.max, { message: "min must not be greater than max" });

export const CHECK_SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export const Severity = z.enum(CHECK_SEVERITIES);
export type Severity = z.infer<typeof Severity>;

export const Envelope = z.strictObject({
  clientAppTypes: z
    .array(z.enum(["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"]))
    .min(1)
    .default(["browser", "mobileAppsAndDesktopClients"]),
  platforms: z
    .union([
      z.literal("all"),
      z.array(z.enum(["android", "iOS", "windows", "windowsPhone", "macOS", "linux", "unknown"])).min(1),
    ])
    .default("all"),
  locations: z.union([z.literal("any"), z.array(z.string()).min(1)]).default("any"),
  device: z.enum(["unregistered", "compliant", "hybridJoined"]).default("unregistered"),
  riskLevels: z
    .union([z.literal("all"), z.array(z.enum(["none", "low", "medium", "high"])).min(1)])
    .default("all"),
  resources: z.enum(["recovery", "all"]).default("recovery"),
});

/** Profile keys only deploy reads (docs/deploy.md): how it builds, not how checks judge. */
const DeployProfileKeys = {
  passwordDelivery: z.enum(["show-once", "split"]).default("show-once"),
  restrictedAU: z.boolean().default(false),
  restrictKeyModels: z.boolean().default(false),
  keyModelsDistinct: z.boolean().default(true),
  keyModels: z.array(z.string().regex(guid, "an AAGUID (GUID) of a key model")).default([]),
  tapLifetimeMinutes: z.number().int().min(10).max(43200).default(60),
  twoPersonRule: z.boolean().default(true),
  keyDrillIntervalDays: z.number().int().min(1).default(90),
  reviewIntervalDays: z.number().int().min(1).default(90),
};

/** docs/graph-writes.md §2.1: a group's mailNickname is ASCII without `@ () \ [] " ; : <> ,` or spaces. */
const mailNickname = /^[\x21-\x7e]{1,64}$/;

/** The names deploy gives what it creates; `init` generates them once, then they stay fixed. */
export const DeployNames = z.strictObject({
  group: z
    .strictObject({
      displayName: z.string().min(1).max(256),
      mailNickname: z
        .string()
        .regex(mailNickname, "1-64 ASCII characters, no spaces")
        .refine((s) => !/[@()\\[\]";:<>,]/.test(s), { message: 'none of @ ( ) \\ [ ] " ; : < > ,' })
        .optional(),
      description: z.string().max(1024).default(""),
    })
    .optional(),
  strength: z.string().min(1).max(256).optional(),
  policy: z.string().min(1).max(256).optional(),
  administrativeUnit: z.string().min(1).max(256).optional(),
});
export type DeployNames = z.infer<typeof DeployNames>;

const receiverName = z.string().min(1).max(128);
/** An action group's SMS or voice receivers: a country calling code and a national number. */
const phoneReceivers = z
  .array(
    z.strictObject({
      name: receiverName,
      countryCode: z.string().regex(/^\d{1,3}$/),
      phoneNumber: z.string().regex(/^\d{4,15}$/),
    }),
  )
  .default([]);

/** The action group the alerts notify (docs/deploy.md step 12): an existing one by id, or one deploy builds. */
export const ActionGroupConfig = z
  .strictObject({
    id: z
      .string()
      .regex(
        /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Insights\/actionGroups\/[^/]+$/i,
        "an action group ARM id",
      )
      .optional(),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,259}$/, "letters, digits, _ . -")
      .optional(),
    shortName: z.string().min(1).max(12).optional(),
    receivers: z
      .strictObject({
        email: z.array(z.strictObject({ name: receiverName, address: z.string().email() })).default([]),
        sms: phoneReceivers,
        voice: phoneReceivers,
        webhook: z
          .array(z.strictObject({ name: receiverName, uri: z.string().url().startsWith("https://") }))
          .default([]),
      })
      .optional(),
  })
  .refine((g) => g.id !== undefined || g.receivers !== undefined, {
    message: "name an existing action group (id) or its receivers",
  });

export const Profile = z.strictObject({
  accountCount: range(2, 4).default({ min: 2, max: 4 }),
  naming: z.enum(["obscure", "descriptive", "any"]).default("obscure"),
  namingPattern: z
    .string()
    .nullable()
    .default(null)
    .superRefine((pattern, ctx) => {
      const problem = pattern === null ? undefined : patternProblem(pattern);
      if (problem)
        ctx.addIssue({
          code: "custom",
          message:
            `not a pattern the linear-time engine (RE2 syntax) accepts: ${problem}; ` +
            `write it without backreferences or lookaround`,
        });
    }),
  passwords: z.enum(["kept", "discarded"]).default("kept"),
  keysPerAccount: z.number().int().min(1).max(10).default(2),
  allowedMethods: z
    .array(z.enum(["fido2", "x509CertificateMultiFactor", "windowsHelloForBusiness"]))
    .min(1)
    .default(["fido2"]),
  dedicatedPolicy: z.enum(["required", "optional"]).default("required"),
  signInFrequency: z
    .union([
      z.literal("everyTime"),
      z.strictObject({ hours: z.number().int().min(1).max(23) }),
      z.strictObject({ days: z.number().int().min(1).max(365) }),
    ])
    .default("everyTime"),
  licenses: z.enum(["none", "any", "P2"]).default("none"),
  roleAssignment: z.enum(["any", "group", "direct"]).default("any"),
  gaCount: range(2, 8).default({ min: 2, max: 8 }),
  passwordMaxAgeDays: z.number().int().min(1).default(365),
  drillIntervalDays: z.number().int().min(1).default(90),
  signInLookbackDays: z.number().int().min(1).default(30),
  retentionDays: z.number().int().min(1).default(90),
  alert: z
    .strictObject({
      maxSeverity: z.number().int().min(0).max(4).default(0),
      maxFrequency: z.string().regex(isoDuration, "an ISO 8601 duration such as PT5M").default("PT5M"),
      /** the longest a drill's sign-in alert may take to arrive (drill finish) */
      maxDelay: z
        .string()
        .regex(/^PT\d+M$/, "a duration in minutes such as PT15M")
        .default("PT15M"),
    })
    .default({ maxSeverity: 0, maxFrequency: "PT5M", maxDelay: "PT15M" }),
  envelope: Envelope.default(() => Envelope.parse({})),
  ...DeployProfileKeys,
});

export const CheckOverride = z
  .strictObject({
    enabled: z.boolean().optional(),
    reason: z.string().optional(),
    severity: Severity.optional(),
  })
  .refine((o) => o.enabled !== false || (o.reason ?? "").trim().length > 0, {
    message: "a disabled check needs a reason (it is shown in every report)",
    path: ["reason"],
  });

/** A calendar date, YYYY-MM-DD, that exists (2027-02-30 does not). */
const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD")
  .refine(
    (d) => {
      const day = new Date(`${d}T00:00:00Z`);
      // zod runs this after a failed format too: only a well-formed date is a calendar question.
      return (
        !/^\d{4}-\d{2}-\d{2}$/.test(d) || (!Number.isNaN(day.getTime()) && day.toISOString().startsWith(d))
      );
    },
    { message: "not a calendar date" },
  );

/**
 * One accepted finding (docs/config.md "accept"): a finding of `check` on the subject `subject`
 * (its object id), or the one finding with `fingerprint` (SARIF's `breakglassFinding/v1`), is
 * `accepted` through `expires` (UTC), then counts again. The reason is shown in every report.
 */
export const AcceptEntry = z
  .strictObject({
    check: z.string().regex(/^EA-[A-Z]+-\d\d$/, "a check id such as EA-ACC-01"),
    subject: z.string().min(1).optional(),
    fingerprint: z
      .string()
      .regex(/^[0-9a-f]{32}(:\d+)?$/, "a finding fingerprint (32 hex digits, as in the SARIF or JSON report)")
      .optional(),
    reason: z.string().refine((r) => r.trim().length > 0, { message: "say why the finding is accepted" }),
    expires: calendarDate,
  })
  .refine((e) => (e.subject === undefined) !== (e.fingerprint === undefined), {
    message: "name the finding by subject (its object id) or by fingerprint: exactly one of them",
  });
export type AcceptEntry = z.infer<typeof AcceptEntry>;

export const Config = z.strictObject({
  tenant: z.string().regex(guid, "a tenant id (GUID)").optional(),
  accounts: z.array(z.string().min(1)).optional(),
  group: z.string().min(1).optional(),
  dedicatedPolicyIds: z.array(z.string()).default([]),
  allowedPolicyIds: z.array(z.string()).default([]),
  profile: Profile.default(() => Profile.parse({})),
  checks: z
    .record(z.string().regex(/^EA-[A-Z]+-\d\d$/, "a check id such as EA-ACC-01"), CheckOverride)
    .default({}),
  names: DeployNames.optional(),
  accept: z.array(AcceptEntry).default([]),
  azure: z
    .strictObject({
      subscriptionIds: z.array(z.string().regex(guid, "a subscription id (GUID)")).default([]),
      // deploy's monitoring target (docs/deploy.md "Monitoring resources"): the workspace
      // /subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/.../workspaces/{workspace}
      subscriptionId: z.string().regex(guid, "a subscription id (GUID)").optional(),
      resourceGroup: z.string().optional(),
      workspace: z.string().optional(),
      location: z.string().min(1).optional(),
      alertsIn: z.enum(["azureMonitor", "sentinel"]).optional(),
      actionGroup: ActionGroupConfig.optional(),
      rulePrefix: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$/, "letters, digits, _ . - (at most 41)")
        .optional(),
      diagnosticSetting: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "letters, digits, _ . - (at most 64)")
        .optional(),
    })
    .default({ subscriptionIds: [] }),
});

export type Config = z.infer<typeof Config>;
export type Profile = z.infer<typeof Profile>;
export type Envelope = z.infer<typeof Envelope>;

/** The configuration used when no file is given: every default of docs/config.md. */
export const defaultConfig = (): Config => Config.parse({});
