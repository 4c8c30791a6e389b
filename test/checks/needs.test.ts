/**
 * The needs contract. A check's `needs` (and `needsFor`) name the snapshot data it cannot pass
 * without; the runner turns a missing need into `unknown`. Two halves, on the good sample tenant
 * (fixtures/tenants/good.json), which every check passes or skips:
 *  1. every read a check makes (recorded through a Proxy over its context) is a declared need;
 *  2. every section and every relationship of the snapshot format, made unavailable one at a time,
 *     leaves no check that read it passing (but one alternative of an `anyOf` need, such as Azure
 *     Monitor or Sentinel alert rules: the other may carry the pass).
 */
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("../../src/snapshot/availability.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/snapshot/availability.js")>();
  const { unwrap } = await import("./needs-recorder.js");
  return {
    ...real,
    isAvailable: (s: never, p: string) => real.isAvailable(unwrap(s), p),
    unavailableReason: (s: never, p: string) => real.unavailableReason(unwrap(s), p),
  };
});
vi.mock("../../src/snapshot/directory.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/snapshot/directory.js")>();
  const { unwrap } = await import("./needs-recorder.js");
  return { ...real, licenceTier: (s: never) => real.licenceTier(unwrap(s)) };
});

import { buildCheckContext, CHECKS, assess } from "../../src/checks/registry.js";
import { runCheck } from "../../src/checks/runner.js";
import type { Need, Status } from "../../src/checks/types.js";
import type { Config } from "../../src/config/schema.js";
import type { CheckRecords } from "../../src/records/check-records.js";
import { Snapshot } from "../../src/snapshot/schema.js";
import { loadGood } from "./mutations/good.js";
import { covers, NOT_SECTIONS, RELATIONSHIPS, recordingContext, type Recorder } from "./needs-recorder.js";

let snapshot: Snapshot;
let config: Config;
/** the good sample's records (custody, drills), so the records checks pass as the rest do */
let records: CheckRecords;
/** check id -> what it read on the good sample, and what it declared. */
const reads = new Map<string, Set<string>>();
const declared = new Map<string, Need[]>();
const baseline = new Map<string, Status>();

beforeAll(async () => {
  ({ snapshot, config, records } = await loadGood());
  for (const check of CHECKS) {
    const rec: Recorder = { reads: new Set(), paused: false };
    const ctx = recordingContext((s) => buildCheckContext(s, config, records), snapshot, rec);
    const result = runCheck(check, ctx);
    rec.paused = true;
    baseline.set(check.id, result.status);
    reads.set(check.id, rec.reads);
    declared.set(check.id, [...check.needs, ...(check.needsFor?.(ctx) ?? [])]);
  }
});

/** Every section of the snapshot format (azure's one by one) and every relationship stored on objects. */
function contractPaths(): string[] {
  const sections = Object.keys(Snapshot.shape).filter((k) => !NOT_SECTIONS.has(k) && k !== "azure");
  const azure = Object.keys((Snapshot.shape.azure.unwrap() as { shape: object }).shape).map(
    (k) => `azure.${k}`,
  );
  const relationships = Object.entries(RELATIONSHIPS).flatMap(([s, rels]) => rels.map((r) => `${s}.${r}`));
  return [...sections, ...azure, ...relationships];
}

/** The good sample with one path made unavailable, as export records a read that failed. */
function without(path: string): Snapshot {
  const s = structuredClone(snapshot) as Record<string, any>;
  const [section, sub] = path.split(".") as [string, string | undefined];
  if (section === "azure" && sub) delete s.azure?.[sub];
  else if (sub) for (const o of s[section] ?? []) delete o[sub];
  else delete s[section];
  s.unavailable = { ...(s.unavailable ?? {}), [path]: "403 Forbidden (needs contract test)" };
  return s as Snapshot;
}

/**
 * Data an `anyOf` alternative reads besides its own section: an Azure Monitor rule's action groups,
 * a Sentinel rule's watchlists. Alert coverage (src/monitor/alerts.ts) grades a rule whose part
 * could not be read `unknown` (test/checks/monitoring), so the part goes with its alternative.
 */
const ALTERNATIVE_PARTS: Readonly<Record<string, string>> = {
  "azure.actionGroups": "azure.scheduledQueryRules",
  "azure.sentinelWatchlists": "azure.sentinelAlertRules",
};

/** The paths one need accepts reads of: itself, or each alternative of an `anyOf` and its parts. */
const accepted = (n: Need): string[] =>
  typeof n === "string"
    ? [n]
    : [...n.anyOf, ...Object.keys(ALTERNATIVE_PARTS).filter((p) => n.anyOf.includes(ALTERNATIVE_PARTS[p]!))];

/** Whether a path is one alternative of a check's `anyOf` need: the check may pass on another. */
const isAlternative = (id: string, path: string): boolean =>
  declared.get(id)!.some((n) => typeof n !== "string" && accepted(n).includes(path));

const readsPath = (id: string, path: string): boolean =>
  [...reads.get(id)!].some((r) => covers(path, r) || r.toLowerCase() === path.toLowerCase());

describe("the needs contract", () => {
  it("runs every check on the good sample, passing or skipping", () => {
    expect(baseline.size).toBe(CHECKS.length);
    for (const [id, status] of baseline) expect(["pass", "skip"], id).toContain(status);
  });

  it("covers every section and relationship of the snapshot format", () => {
    const paths = contractPaths();
    for (const p of [
      "users",
      "conditionalAccessPolicies",
      "azure.tables",
      "groups.members",
      "users.authenticationMethods",
    ])
      expect(paths).toContain(p);
  });

  it("records reads (the recorder sees a section, a relationship and a directory accessor)", () => {
    expect(reads.get("EA-AUTH-01")).toContain("users");
    expect([...reads.get("EA-AUTH-01")!].some((r) => r.endsWith("].authenticationMethods"))).toBe(true);
    expect(reads.get("EA-ROLE-01")).toContain("roleAssignments");
  });

  it.each(CHECKS.map((c) => c.id))("%s reads only what it declares as needs", (id) => {
    const needs = declared.get(id)!.flatMap(accepted);
    const undeclared = [...reads.get(id)!].filter((r) => !needs.some((n) => covers(n, r))).sort();
    expect(undeclared, `${id} reads ${undeclared.join(", ")} without declaring it`).toEqual([]);
  });

  it.each(contractPaths())("with %s unavailable, no check that reads it passes", (path) => {
    const results = assess(without(path), config, CHECKS, records);
    const passing = results
      .filter((r) => r.status === "pass" && readsPath(r.id, path) && !isAlternative(r.id, path))
      .map((r) => r.id);
    expect(passing, `pass although they read ${path}`).toEqual([]);
  });
});
