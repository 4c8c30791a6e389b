import { describe, expect, it } from "vitest";
import { derivePlan } from "../../src/deploy/plan.js";
import { clone, sample } from "./support.js";

const good = sample("good");

describe("a plan from missing data", () => {
  it("exits 3 naming the section when Conditional Access could not be read", () => {
    const s = clone(good.snapshot);
    s.unavailable = { conditionalAccessPolicies: "403 Authorization_RequestDenied" };
    expect(() => derivePlan(s, good.config)).toThrow(
      /conditionalAccessPolicies \(403 Authorization_RequestDenied\)/,
    );
    try {
      derivePlan(s, good.config);
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(3);
    }
  });

  it("exits 3 when an account's methods were not collected", () => {
    const s = clone(good.snapshot);
    const u = s.users!.find((x) => x.userPrincipalName?.startsWith("zt4p9w@"))!;
    delete u.authenticationMethods;
    expect(() => derivePlan(s, good.config)).toThrow(/users\[[0-9a-f-]+\]\.authenticationMethods/);
  });
});
