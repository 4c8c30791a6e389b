/**
 * The report of `assess` (docs/report.md, schema `breakglass.report/v1`), defined once in zod:
 * the TypeScript types, the shipped JSON Schema (schemas/breakglass.report.schema.json) and the tests'
 * validator all come from this definition.
 */
import { z } from "zod";
import { CHECK_SEVERITIES } from "../config/schema.js";
import { STATUS_ORDER } from "../checks/types.js";

export const REPORT_SCHEMA = "breakglass.report/v1";
export const REPORT_SCHEMA_FILE = "schemas/breakglass.report.schema.json";

const Status = z.enum(STATUS_ORDER);
const Severity = z.enum(CHECK_SEVERITIES);
const Timestamp = z.iso.datetime({ offset: true });

export const ReportSubject = z.strictObject({
  type: z.string(),
  id: z.string(),
  displayName: z.string().nullable().optional(),
});

export const ReportRemediation = z.strictObject({
  summary: z.string(),
  portal: z.string().optional(),
  graph: z.string().optional(),
  powershell: z.string().optional(),
  command: z.string().optional(),
});

export const ReportFinding = z.strictObject({
  status: Status,
  severity: Severity.optional(),
  subject: ReportSubject.optional(),
  message: z.string(),
  evidence: z.record(z.string(), z.unknown()).optional(),
  remediation: ReportRemediation.optional(),
  /** identifies a fail, warn, unknown or accepted finding across runs; an `accept` entry may name it. */
  fingerprint: z.string().optional(),
  /** the `accept` entry of the configuration that matched this finding (docs/config.md "accept"). */
  acceptance: z
    .strictObject({
      entry: z.number().int().min(0),
      reason: z.string(),
      expires: z.iso.date(),
      /** true: the date has passed and the finding has its own status again. */
      expired: z.boolean(),
      findingStatus: Status,
    })
    .optional(),
});

export const ReportCheck = z.strictObject({
  id: z.string().regex(/^EA-[A-Z]+-\d\d$/),
  title: z.string(),
  severity: Severity,
  status: Status,
  reason: z.string().nullable(),
  findings: z.array(ReportFinding),
});

const Account = z.strictObject({
  id: z.string(),
  userPrincipalName: z.string().nullable().optional(),
  displayName: z.string().nullable().optional(),
});

export const ReportAccounts = z.strictObject({
  method: z.enum(["config", "config+group", "group", "discovered"]),
  resolved: z.array(Account),
  unresolved: z.array(
    z.strictObject({
      ref: z.string(),
      deleted: z.boolean().optional(),
      restorableUntil: z.string().optional(),
    }),
  ),
  candidates: z.array(
    z.strictObject({
      id: z.string(),
      userPrincipalName: z.string().nullable().optional(),
      score: z.number(),
      reasons: z.array(z.string()),
    }),
  ),
  group: z.strictObject({ id: z.string(), displayName: z.string().nullable().optional() }).optional(),
  unresolvedGroup: z.string().optional(),
});

const Counts = z.strictObject(
  Object.fromEntries(STATUS_ORDER.map((s) => [s, z.number().int().min(0)])) as {
    [K in (typeof STATUS_ORDER)[number]]: z.ZodNumber;
  },
);

/**
 * The verdict `assess` exits with (docs/report.md "Exit codes"), stored in the report so that every format
 * shows the same verdict and renderers never compute one.
 */
export const ReportVerdict = z.strictObject({
  failed: z.boolean(),
  failOn: Severity,
  allowUnknown: z.boolean(),
  /** the checks that decided `failed`, in catalogue order. */
  blocking: z.array(z.string()),
});

export const Report = z.strictObject({
  schema: z.literal(REPORT_SCHEMA),
  tool: z.strictObject({ name: z.literal("breakglass"), version: z.string() }),
  tenant: z.strictObject({ id: z.string(), displayName: z.string().nullable() }),
  generatedAt: Timestamp,
  asOf: Timestamp,
  source: z.string(),
  /**
   * The configuration file read (as given, relative to the working directory when inside it), or
   * null when none was found and every default applied: a misplaced file must not go unnoticed.
   */
  configFile: z.string().nullable(),
  accounts: ReportAccounts,
  checks: z.array(ReportCheck),
  summary: Counts,
  verdict: ReportVerdict,
  /**
   * `--only`: the statuses this report lists (checks and findings of other statuses left out).
   * The summary and the verdict are those of the whole run.
   */
  only: z.array(Status).optional(),
});

export type Report = z.infer<typeof Report>;
export type ReportCheck = z.infer<typeof ReportCheck>;
export type ReportFinding = z.infer<typeof ReportFinding>;
export type ReportAccounts = z.infer<typeof ReportAccounts>;
export type ReportVerdict = z.infer<typeof ReportVerdict>;

export function reportJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(Report, { io: "output", target: "draft-7" }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, title: `Breakglass assessment report (${REPORT_SCHEMA})`, ...rest };
}

/** The check groups of docs/checks.md, in catalogue order; a check's group is the middle of its id. */
export const CHECK_GROUPS: ReadonlyArray<{ key: string; title: string }> = [
  { key: "ACC", title: "Accounts" },
  { key: "ROLE", title: "Role" },
  { key: "AUTH", title: "Authentication" },
  { key: "CA", title: "Conditional Access" },
  { key: "MON", title: "Monitoring" },
  { key: "OPS", title: "Operations" },
];

export function groupOf(checkId: string): { key: string; title: string } {
  const key = /^EA-([A-Z]+)-/.exec(checkId)?.[1] ?? "OTHER";
  return CHECK_GROUPS.find((g) => g.key === key) ?? { key, title: key };
}

/** Checks grouped by check group, groups in catalogue order of their first check. */
export function groupChecks<T extends { id: string }>(
  checks: readonly T[],
): Array<{ key: string; title: string; checks: T[] }> {
  const groups = new Map<string, { key: string; title: string; checks: T[] }>();
  for (const check of checks) {
    const g = groupOf(check.id);
    if (!groups.has(g.key)) groups.set(g.key, { ...g, checks: [] });
    groups.get(g.key)!.checks.push(check);
  }
  return [...groups.values()];
}
