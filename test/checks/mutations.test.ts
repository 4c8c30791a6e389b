/**
 * The mutation suite: the good sample tenant passes every check; each single mutation that breaks
 * one recommendation of the seeds changes exactly the checks it declares, to the status it
 * declares, and nothing else (test/checks/mutations/catalog.ts; records.ts mutates the custody
 * registry and drills beside the sample's configuration).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { assess, CHECKS } from "../../src/checks/registry.js";
import type { CheckResult, Status } from "../../src/checks/types.js";
import type { Config } from "../../src/config/schema.js";
import type { CheckRecords } from "../../src/records/check-records.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { CONTROLS, MUTATIONS, type Mutation } from "./mutations/catalog.js";
import { loadGood } from "./mutations/good.js";
import { MORE_CONTROLS, MORE_MUTATIONS } from "./mutations/more.js";
import { RECORDS_MUTATIONS } from "./mutations/records.js";

const ALL_MUTATIONS = [...MUTATIONS, ...MORE_MUTATIONS, ...RECORDS_MUTATIONS];
const ALL_CONTROLS = [...CONTROLS, ...MORE_CONTROLS];

let snapshot: Snapshot;
let config: Config;
let records: CheckRecords;
let baseline: Map<string, Status>;

beforeAll(async () => {
  ({ snapshot, config, records } = await loadGood());
  baseline = new Map(assess(snapshot, config, CHECKS, records).map((r) => [r.id, r.status]));
});

function changes(results: CheckResult[]): Record<string, Status> {
  const changed: Record<string, Status> = {};
  for (const r of results) if (r.status !== baseline.get(r.id)) changed[r.id] = r.status;
  return changed;
}

/** What each changed check said, for the failure message. */
function explain(results: CheckResult[], changed: Record<string, Status>): string {
  return results
    .filter((r) => r.id in changed)
    .map((r) => `${r.id} ${r.status}: ${r.reason ?? r.findings.map((f) => f.message).join(" | ")}`)
    .join("\n");
}

function run(m: Mutation) {
  const s = structuredClone(snapshot);
  const c = structuredClone(config);
  const r = structuredClone(records);
  m.apply(s, c, r);
  const results = assess(s, c, CHECKS, r);
  const changed = changes(results);
  expect(changed, explain(results, changed)).toEqual(m.expect);
}

describe("the good sample tenant", () => {
  it("passes every check (or skips it with a reason)", () => {
    const results = assess(snapshot, config, CHECKS, records);
    expect(results).toHaveLength(43);
    for (const r of results) {
      expect(["pass", "skip"], `${r.id} ${r.status}`).toContain(r.status);
      if (r.status === "skip") expect(r.reason, r.id).toBeTruthy();
    }
  });

  it("declares a catalogue of at least 45 distinct single mutations", () => {
    expect(ALL_MUTATIONS.length).toBeGreaterThanOrEqual(45);
    expect(new Set([...ALL_MUTATIONS, ...ALL_CONTROLS].map((m) => m.name)).size).toBe(
      ALL_MUTATIONS.length + ALL_CONTROLS.length,
    );
    for (const m of ALL_MUTATIONS) expect(Object.keys(m.expect).length, m.name).toBeGreaterThan(0);
  });
});

describe("one mutation at a time changes exactly the declared checks", () => {
  it.each(ALL_MUTATIONS.map((m) => [m.name, m] as const))("%s", (_name, m) => run(m));
});

describe("a recommendation met another way changes nothing", () => {
  it.each(ALL_CONTROLS.map((m) => [m.name, m] as const))("%s", (_name, m) => run(m));
});
