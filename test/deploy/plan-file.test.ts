import { describe, expect, it } from "vitest";
import { comparePlan, parsePlanFile, PlanFileError } from "../../src/deploy/plan-file.js";
import { configHash, derivePlan, objectNames, planFile } from "../../src/deploy/plan.js";
import { renderPlanText } from "../../src/report/plan-text.js";
import { clone, sample } from "./support.js";

const before = sample("before");
const fresh = (snapshot = before.snapshot) => ({
  tenantId: snapshot.tenant.id,
  configHash: configHash(before.config),
  steps: derivePlan(snapshot, before.config).steps,
});
const file = () =>
  planFile({
    snapshot: before.snapshot,
    config: before.config,
    steps: fresh().steps,
    createdAt: new Date("2026-11-01T10:30:00Z"),
  });

describe("the plan file", () => {
  it("round-trips and matches a fresh derivation exactly", () => {
    const text = JSON.stringify(file(), null, 2);
    const back = parsePlanFile(text);
    expect(back.schema).toBe("breakglass.plan/v1");
    expect(comparePlan(back, fresh())).toEqual([]);
  });

  it("never holds a secret: passwords are a placeholder filled at apply", () => {
    const text = JSON.stringify(file());
    expect(text).toContain("{{secret}}");
    expect(text).not.toMatch(/"password":"(?!\{\{secret\}\})/);
  });

  it("refuses a plan with one request edited by hand, naming the step", () => {
    const p = clone(file());
    const step = p.steps.find((s) => s.kind === "exclusions")!;
    step.request.url = "/v1.0/identity/conditionalAccess/policies/00000000-0000-0000-0000-000000000000";
    const diffs = comparePlan(p, fresh());
    expect(diffs).toContain("the plan's content does not match its id (the file was edited)");
    expect(diffs.some((d) => d.startsWith(`step ${step.id}: request differ`))).toBe(true);
  });

  it("refuses a plan after someone changed a policy it touches, naming the policy", () => {
    const changed = clone(before.snapshot);
    const nw01 = changed.conditionalAccessPolicies!.find((p) => p.displayName?.startsWith("NW01"))!;
    nw01.conditions!.users!.excludeUsers = ["0f0f0f0f-0000-4000-8000-000000000001"];
    const diffs = comparePlan(file(), fresh(changed));
    expect(diffs.join("\n")).toMatch(
      /conditionalAccessPolicy NW01 - All users - Require MFA changed since the plan/,
    );
  });

  it("refuses a plan for another configuration or tenant", () => {
    const diffs = comparePlan(file(), {
      ...fresh(),
      configHash: "0".repeat(64),
      tenantId: "11111111-1111-1111-1111-111111111111",
    });
    expect(diffs).toContain("the configuration changed since the plan was made");
    expect(diffs.some((d) => d.startsWith("the plan is for tenant"))).toBe(true);
  });

  it("rejects what is not a plan file with the path of the problem", () => {
    expect(() => parsePlanFile("{")).toThrow(PlanFileError);
    const p = clone(file()) as any;
    p.steps[0].request.method = "GET";
    expect(() => parsePlanFile(JSON.stringify(p))).toThrow(/steps\.0\.request\.method/);
  });
});

describe("the human view", () => {
  it("shows creates, updates with old -> new, waiting steps and the summary line", () => {
    const { steps } = derivePlan(before.snapshot, before.config);
    const text = renderPlanText({
      tenant: before.snapshot.tenant,
      readAt: before.snapshot.tenant.capturedAt,
      steps,
      awaitingEnrollment: ["kp7wd@x"],
    });
    expect(text).toMatch(
      /^Breakglass plan for Northwind Traders \([0-9a-f-]+\), read 2026-11-01 10:00 UTC\n/,
    );
    expect(text).toMatch(
      /\n {2}\+ accounts\.kp7wd +create user kp7wd@northwindtraders\.onmicrosoft\.com {3}EA-ACC-02/,
    );
    expect(text).toContain("      POST /v1.0/users\n");
    expect(text).toMatch(/conditions\.users\.excludeGroups: \[.*\] -> \[.*"grp-h4821"\]/);
    expect(text).toContain("Waiting for enrollment (breakglass enroll kp7wd@x):\n  ~ activate.ca900-h4821");
    expect(text).toMatch(/\nPlan: \d+ to create, \d+ to update, 0 to destroy; 2 waiting\.\n$/);
    expect(text).not.toContain("{{secret}}");
  });

  it("names the tenant's objects instead of bare ids, and created objects in urls", () => {
    const { steps } = derivePlan(before.snapshot, before.config);
    const text = renderPlanText({
      tenant: before.snapshot.tenant,
      readAt: "x",
      steps,
      names: objectNames(before.snapshot),
    });
    expect(text).toContain(
      'conditions.users.excludeGroups: ["SVC - Conditional Access exclusions"] -> ["SVC - Conditional Access exclusions","grp-h4821"]',
    );
    expect(text).toContain("POST /v1.0/groups/<grp-h4821>/members/$ref");
  });

  it("says No changes, and how many steps wait", () => {
    const { steps } = derivePlan(before.snapshot, before.config);
    const waiting = steps.filter((s) => s.waiting);
    const text = renderPlanText({ tenant: before.snapshot.tenant, readAt: "x", steps: waiting });
    expect(text).toMatch(/No changes\.\n2 steps wait for enrollment\.\n$/);
    expect(renderPlanText({ tenant: { id: "t" }, readAt: "x", steps: [] })).toMatch(/\nNo changes\.\n$/);
  });

  it("escapes hostile tenant strings", () => {
    const s = clone(before.snapshot);
    s.tenant.displayName = "Evil\u001b]8;;https://x\u0007Corp\u202e";
    const nw = s.conditionalAccessPolicies!.find((p) => p.displayName?.startsWith("NW01"))!;
    nw.displayName = "NW01\u001b[2J wipe";
    const text = renderPlanText({ tenant: s.tenant, readAt: "x", steps: derivePlan(s, before.config).steps });
    for (const c of ["\u001b", "\u0007", "\u202e"]) expect(text).not.toContain(c);
    expect(text).toContain("\\u{1b}");
  });
});
