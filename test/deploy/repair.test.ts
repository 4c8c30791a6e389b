/**
 * An existing setup is repaired, not rebuilt: good.json plans no change, and each fault deploy
 * governs, planted alone on a copy, yields exactly the one step that fixes it.
 */
import { describe, expect, it } from "vitest";
import { FAULTS, policy, type Json } from "./repair-faults.js";
import { clone, plan, sample } from "./support.js";

const good = sample("good");
describe("repairing an existing setup", () => {
  it("plans no change on the good sample", () => {
    expect(plan(good.snapshot, good.config)).toEqual([]);
  });

  it.each(FAULTS)("$name: exactly the step that fixes it", (fault) => {
    const s = clone(good.snapshot);
    fault.plant(s);
    const steps = plan(s, good.config);
    expect(steps).toHaveLength(1);
    const [step] = steps;
    expect(step!.id.startsWith(fault.step)).toBe(true);
    expect(step!.action).toBe(fault.action);
    expect(step!.waiting).toBeUndefined();
    expect(step!.request.method).toBe(fault.request.method);
    expect(step!.request.url).toMatch(fault.request.url);
    expect(step!.satisfies).toContain(fault.satisfies);
    if (fault.body !== undefined) expect(step!.request.body).toEqual(fault.body);
  });

  it("sends every other entry of a policy's users back as read when it adds the exclusion", () => {
    const s = clone(good.snapshot);
    const ca = policy(s, "CA001");
    ca.conditions.users.excludeGroups = ["11111111-2222-3333-4444-555555555555"];
    ca.conditions.users.excludeUsers = ["66666666-7777-8888-9999-000000000000"];
    const [step] = plan(s, good.config);
    const users = (step!.request.body as Json).conditions.users;
    expect(users.excludeUsers).toEqual(["66666666-7777-8888-9999-000000000000"]);
    expect(users.includeUsers).toEqual(["All"]);
    expect(users.excludeGroups).toEqual([
      "11111111-2222-3333-4444-555555555555",
      "ab45a805-0899-4c20-823e-676c53a97511",
    ]);
    expect(step!.changes).toEqual([
      {
        property: "conditions.users.excludeGroups",
        old: ["11111111-2222-3333-4444-555555555555"],
        new: ["11111111-2222-3333-4444-555555555555", "ab45a805-0899-4c20-823e-676c53a97511"],
      },
    ]);
  });
});
