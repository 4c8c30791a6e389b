/**
 * The Temporary Access Pass method reaches the emergency group only while an account awaits
 * enrollment (docs/deploy.md step 6): once every account holds its keys the plan takes the group
 * out of `includeTargets`, sending every other target back exactly as read, or switches the method
 * off again when the group was its only target.
 */
import { describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/snapshot/schema.js";
import type { Step } from "../../src/deploy/types.js";
import { applyInMemory, clone, ids, plan, sample } from "./support.js";

type Json = Record<string, any>;

const good = sample("good");
const EMERGENCY_GROUP = "ab45a805-0899-4c20-823e-676c53a97511";
const ONBOARDING_GROUP = "e410e39d-d39a-4353-9cb0-95d0c168fb2d";
const TAP_URL =
  "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass";

const tapOf = (s: Snapshot): Json =>
  (s.authenticationMethodsPolicy!.authenticationMethodConfigurations as Json[]).find(
    (c) => c.id === "TemporaryAccessPass",
  )!;
const tapStep = (steps: Step[]) => steps.find((s) => s.id === "methods.temporaryaccesspass");

/** good.json with the emergency group also targeted by the pass, as enroll leaves it. */
function enrolledWithGroupTargeted(): Snapshot {
  const s = clone(good.snapshot);
  const tap = tapOf(s);
  // An entry with properties of its own: it must come back as read, not rebuilt.
  tap.includeTargets = [
    { targetType: "group", id: ONBOARDING_GROUP, isRegistrationRequired: true, note: "kept as read" },
    { targetType: "group", id: EMERGENCY_GROUP, isRegistrationRequired: false },
  ];
  tap.excludeTargets = [{ targetType: "group", id: "9d78066e-1908-4cbb-be2c-ec9fd362c461" }];
  return s;
}

describe("the Temporary Access Pass method after enrollment", () => {
  it("removes the group from includeTargets and sends every other target back as read", () => {
    const s = enrolledWithGroupTargeted();
    const steps = plan(s, good.config);
    expect(ids(steps)).toEqual(["methods.temporaryaccesspass"]);
    const step = tapStep(steps)!;
    expect(step.request).toEqual({
      service: "graph",
      method: "PATCH",
      url: TAP_URL,
      body: {
        "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
        includeTargets: [
          { targetType: "group", id: ONBOARDING_GROUP, isRegistrationRequired: true, note: "kept as read" },
        ],
      },
    });
    expect(step.changes).toEqual([
      { property: "includeTargets", old: [ONBOARDING_GROUP, EMERGENCY_GROUP], new: [ONBOARDING_GROUP] },
    ]);
    expect(step.satisfies).toEqual(["EA-AUTH-08"]);
    // The state, the lifetimes and the exclusions are not part of the request, so they stay.
    const after = applyInMemory(s, steps);
    expect(tapOf(after)).toEqual({
      ...tapOf(s),
      includeTargets: [tapOf(s).includeTargets[0]],
    });
    expect(plan(after, good.config)).toEqual([]);
  });

  it("switches the method off when the group was its only target, instead of leaving it on for no one", () => {
    const s = clone(good.snapshot);
    tapOf(s).includeTargets = [{ targetType: "group", id: EMERGENCY_GROUP, isRegistrationRequired: false }];
    const step = tapStep(plan(s, good.config))!;
    expect(step.request.body).toEqual({
      "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
      state: "disabled",
      includeTargets: [{ targetType: "group", id: "all_users", isRegistrationRequired: false }],
    });
    expect(step.changes.map((c) => c.property)).toEqual(["state", "includeTargets"]);
    expect(plan(applyInMemory(s, [step]), good.config)).toEqual([]);
  });

  it("matches the group's id whatever its case", () => {
    const s = enrolledWithGroupTargeted();
    tapOf(s).includeTargets[1].id = EMERGENCY_GROUP.toUpperCase();
    expect(tapStep(plan(s, good.config))!.request.body!.includeTargets).toHaveLength(1);
  });

  it("keeps the group targeted while an account still lacks its keys", () => {
    const s = enrolledWithGroupTargeted();
    const account = s.users!.find((u) => u.userPrincipalName?.startsWith("zt4p9w@"))!;
    account.authenticationMethods = account.authenticationMethods!.filter(
      (m) => !m["@odata.type"].toLowerCase().endsWith("fido2authenticationmethod"),
    );
    expect(tapStep(plan(s, good.config))).toBeUndefined();
  });

  it("plans nothing for the pass when the group is not among its targets", () => {
    expect(tapStep(plan(good.snapshot, good.config))).toBeUndefined();
  });
});
