/**
 * Step 6's SSPR and Identity Protection exclusions, as far as Graph allows (docs/deploy.md "SSPR
 * and Identity Protection"): the administrators' self-service password reset switch is a step; Identity Protection's
 * multifactor authentication registration policy, which Graph cannot read or write, is a manual
 * step the plan shows with its portal path, never a change.
 */
import { describe, expect, it } from "vitest";
import { derivePlan } from "../../src/deploy/plan.js";
import { PlanReadError } from "../../src/deploy/desired.js";
import { renderPlanText } from "../../src/report/plan-text.js";
import { applyInMemory, clone, ids, plan, sample } from "./support.js";

const good = sample("good");

function withSspr(value: boolean | null | undefined) {
  const s = clone(good.snapshot);
  const policy = { ...s.authorizationPolicy } as Record<string, unknown>;
  if (value === undefined) delete policy.allowedToUseSSPR;
  else policy.allowedToUseSSPR = value;
  s.authorizationPolicy = policy;
  return s;
}

describe("self-service password reset for administrators", () => {
  it("plans nothing when administrators cannot use SSPR (the good sample)", () => {
    expect(good.snapshot.authorizationPolicy?.allowedToUseSSPR).toBe(false);
    expect(ids(plan(good.snapshot, good.config))).toEqual([]);
  });

  for (const value of [true, null, undefined]) {
    it(`turns it off when allowedToUseSSPR is ${String(value)} (Graph's default is on), and only that`, () => {
      const s = withSspr(value);
      const steps = plan(s, good.config);
      expect(ids(steps)).toEqual(["methods.sspr-administrators"]);
      const step = steps[0]!;
      expect(step).toMatchObject({
        kind: "methods",
        action: "update",
        request: {
          service: "graph",
          method: "PATCH",
          url: "/v1.0/policies/authorizationPolicy",
          body: { allowedToUseSSPR: false },
        },
        satisfies: ["EA-AUTH-07"],
        changes: [{ property: "allowedToUseSSPR", old: value ?? null, new: false }],
      });
      expect(step.risk).toMatch(/tenant-wide: no administrator can reset their own password/);
      const after = applyInMemory(s, steps);
      // the PATCH names one property: every other setting of the policy stays as read
      expect(after.authorizationPolicy).toEqual({ ...s.authorizationPolicy, allowedToUseSSPR: false });
      expect(plan(after, good.config)).toEqual([]);
    });
  }

  it("refuses to plan when the authorization policy could not be read, rather than say No changes", () => {
    const s = clone(good.snapshot);
    delete s.authorizationPolicy;
    s.unavailable = { ...s.unavailable, authorizationPolicy: "403 Forbidden" };
    expect(() => plan(s, good.config)).toThrow(PlanReadError);
    expect(() => plan(s, good.config)).toThrow(/authorizationPolicy \(403 Forbidden\)/);
  });
});

describe("Identity Protection's multifactor authentication registration policy", () => {
  it("is a manual step with its portal path, naming the group, and is not a change", () => {
    const { steps, manual } = derivePlan(good.snapshot, good.config);
    expect(steps).toEqual([]);
    expect(manual).toEqual([
      expect.objectContaining({
        id: "methods.identity-protection-mfa-registration",
        kind: "methods",
        portal: expect.stringContaining(
          "Protection > Identity Protection > Multifactor authentication registration policy",
        ),
      }),
    ]);
    expect(manual[0]!.summary).toContain("GRP-CORE-7F3A");
    const text = renderPlanText({
      tenant: good.snapshot.tenant,
      readAt: good.snapshot.tenant.capturedAt,
      steps,
      manual,
    });
    expect(text).toContain("Manual (Graph has no API for these");
    expect(text).toContain("  ! methods.identity-protection-mfa-registration  exclude GRP-CORE-7F3A");
    expect(text).toMatch(/portal: Microsoft Entra admin center > Protection > Identity Protection/);
    expect(text.trimEnd().endsWith("No changes.")).toBe(true);
  });

  it("follows --target: shown with methods, not with another kind", () => {
    expect(derivePlan(good.snapshot, good.config, { targets: ["exclusions"] }).manual).toEqual([]);
    expect(derivePlan(good.snapshot, good.config, { targets: ["methods"] }).manual).toHaveLength(1);
  });

  it("escapes a hostile group name on the terminal", () => {
    const s = clone(good.snapshot);
    s.groups!.find((g) => g.id === "ab45a805-0899-4c20-823e-676c53a97511")!.displayName =
      "GRP-CORE-7F3A\u001b[2J";
    const config = { ...good.config, names: { group: { displayName: "GRP-CORE-7F3A\u001b[2J" } } };
    const { steps, manual } = derivePlan(s, config);
    expect(manual[0]!.summary).toContain("\u001b[2J");
    const text = renderPlanText({ tenant: s.tenant, readAt: s.tenant.capturedAt, steps, manual });
    expect(text).not.toContain("\u001b");
  });
});
