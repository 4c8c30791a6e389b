/**
 * predict.ts copies on write: the snapshot it returns shares with the one it was given every object
 * the step leaves alone, so it must never change the one it was given (the gate proves both, and
 * apply predicts the next step from the last prediction). Every snapshot here is deep-frozen before
 * it is predicted from, so a change in place throws; the steps are the walkthrough's with the
 * restricted administrative unit, the second plan after enrollment, and every repair of the good
 * sample's faults, which between them send every request predict models.
 */
import { describe, expect, it } from "vitest";
import { predict } from "../../src/deploy/predict.js";
import { isChange, type Step } from "../../src/deploy/types.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { FAULTS } from "./repair-faults.js";
import { clone, enrollTwoKeys, plan as derive, sample } from "./support.js";

type Json = Record<string, any>;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The request a step sends, its ids and references left out: `PATCH /v1.0/users/{id}`. */
const shape = (step: Step) =>
  `${step.request.method} ${step.request.url
    .split("?")[0]!
    .split("/")
    .map((segment, i) => (i > 1 && /\{\{ref:|\d/.test(segment) ? "{id}" : segment))
    .join("/")}`;

/** Predicts every change of the steps in order from a frozen snapshot; the tenant after them. */
function walk(start: Snapshot, steps: readonly Step[], seen: Set<string>): Snapshot {
  let state = deepFreeze(clone(start));
  for (const step of steps) {
    if (!isChange(step) || step.request.service !== "graph") continue;
    const copy = JSON.stringify(state);
    const next = predict(state, step);
    expect(JSON.stringify(state), `${step.id} changed the snapshot it was predicted from`).toBe(copy);
    seen.add(shape(step));
    state = deepFreeze(next);
  }
  return state;
}

describe("predict leaves the snapshot it starts from as it was", () => {
  it("on the walkthrough, its second plan after enrollment, and every repair", () => {
    const seen = new Set<string>();
    const before = sample("before");
    const config = { ...before.config, profile: { ...before.config.profile, restrictedAU: true } };
    const first = walk(before.snapshot, derive(before.snapshot, config), seen);
    const enrolled = enrollTwoKeys(first, (upn) => (config.accounts ?? []).includes(upn));
    const second = walk(enrolled, derive(enrolled, config), seen);
    expect(derive(second, config).filter(isChange)).toEqual([]);
    // the role's assignment made to expire and an eligible one added: made permanent, removed
    const lapsed = clone(second) as Json;
    const schedule = lapsed.roleAssignmentSchedules.at(-1);
    schedule.scheduleInfo.expiration = { type: "afterDateTime", endDateTime: "2027-01-01T00:00:00Z" };
    lapsed.roleEligibilitySchedules = [
      ...(lapsed.roleEligibilitySchedules ?? []),
      { ...schedule, id: "eligible-1", memberType: "Direct", status: "Provisioned" },
    ];
    walk(lapsed as Snapshot, derive(lapsed as Snapshot, config), seen);

    const good = sample("good");
    for (const fault of FAULTS) {
      const faulty = clone(good.snapshot);
      fault.plant(faulty);
      walk(faulty, derive(faulty, good.config), seen);
    }
    // every kind of request predict models that a plan sends ran on a frozen snapshot
    expect([...seen]).toEqual(
      expect.arrayContaining([
        "POST /v1.0/users",
        "PATCH /v1.0/users/{id}",
        "POST /v1.0/users/{id}/assignLicense",
        "PATCH /beta/users/{id}/authentication/requirements",
        "DELETE /v1.0/users/{id}/authentication/phoneMethods/{id}",
        "POST /v1.0/groups",
        "POST /v1.0/groups/{id}/members/$ref",
        "DELETE /v1.0/groups/{id}/members/{id}/$ref",
        "POST /v1.0/policies/authenticationStrengthPolicies",
        "POST /v1.0/policies/authenticationStrengthPolicies/{id}/updateAllowedCombinations",
        "POST /v1.0/identity/conditionalAccess/policies",
        "PATCH /v1.0/identity/conditionalAccess/policies/{id}",
        "PATCH /v1.0/policies/authenticationMethodsPolicy",
        "PATCH /v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Sms",
        "POST /v1.0/roleManagement/directory/roleAssignments",
        "POST /v1.0/roleManagement/directory/roleAssignmentScheduleRequests",
        "POST /v1.0/roleManagement/directory/roleEligibilityScheduleRequests",
        "POST /v1.0/directory/administrativeUnits",
        "POST /v1.0/directory/administrativeUnits/{id}/members/$ref",
      ]),
    );
  });
});
