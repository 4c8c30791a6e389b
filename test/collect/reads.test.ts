import { describe, expect, it } from "vitest";
import {
  IN_FILTER_MAX,
  OR_CHAIN_MAX,
  TOP_LEVEL_READS,
  auditReads,
  pimGroupReads,
  signInActivityReads,
  signInReads,
} from "../../src/collect/reads.js";
import { familyOf } from "../../src/graph/pacing.js";
import { USER_PROPERTIES } from "../../src/snapshot/schema.js";

const decoded = (url: string) => decodeURIComponent(url);

describe("export reads", () => {
  it("selects every USER_PROPERTIES property and reads signInActivity apart", () => {
    const users = TOP_LEVEL_READS.find((r) => r.path === "users")!;
    for (const p of USER_PROPERTIES) expect(users.url).toContain(p);
    expect(users.url).not.toContain("signInActivity");
    expect(TOP_LEVEL_READS.find((r) => r.path === "users.signInActivity")!.url).toContain("$top=120");
  });

  it("asks for the Conditional Access policies first in their one-a-second family: they decide the subjects", () => {
    const caFamily = TOP_LEVEL_READS.filter((r) => familyOf(r.url) === "conditionalAccess").map(
      (r) => r.path,
    );
    expect(caFamily[0]).toBe("conditionalAccessPolicies");
    expect(caFamily).toContain("riskyUsers");
  });

  it("reads signInActivity by id, 15 per request", () => {
    const ids = Array.from({ length: 31 }, (_, i) => `id-${i}`);
    const reads = signInActivityReads(ids);
    expect(reads).toHaveLength(Math.ceil(31 / IN_FILTER_MAX));
    expect(decoded(reads[0]!.url)).toContain("id in ('id-0','id-1'");
  });

  it("filters PIM for groups by group, as Graph requires", () => {
    const [r] = pimGroupReads("privilegedAccessGroupEligibilitySchedules", ["g'1"]);
    expect(decoded(r!.url)).toContain("/group/eligibilitySchedules?$filter=groupId eq 'g''1'");
  });

  it("reads beta sign-ins of both event types, 15 subjects per request in an or chain of userId eq", () => {
    const ids = Array.from({ length: 16 }, (_, i) => `u${i}`);
    const reads = signInReads(ids);
    expect(reads.map((r) => r.version)).toEqual(["beta", "beta"]);
    const first = decoded(reads[0]!.url);
    expect(first).toContain(
      "$filter=(userId eq 'u0' or userId eq 'u1' or userId eq 'u2' or userId eq 'u3' or userId eq 'u4' or userId eq 'u5' or userId eq 'u6' or userId eq 'u7' or userId eq 'u8' or userId eq 'u9' or userId eq 'u10' or userId eq 'u11' or userId eq 'u12' or userId eq 'u13' or userId eq 'u14') and signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')",
    );
    // Graph documents eq, not in, on userId
    expect(first).not.toMatch(/userId in/);
    expect(decoded(reads[1]!.url)).toContain("(userId eq 'u15') and");
  });

  it("reads audits by target and by initiator, 15 subjects per request", () => {
    expect(auditReads(["u1", "u'2"]).map((r) => decoded(r.url))).toEqual([
      expect.stringContaining("$filter=targetResources/any(t: t/id eq 'u1' or t/id eq 'u''2')&"),
      expect.stringContaining("$filter=initiatedBy/user/id eq 'u1' or initiatedBy/user/id eq 'u''2'&"),
    ]);
    expect(auditReads(Array.from({ length: 31 }, (_, i) => `u${i}`))).toHaveLength(3 * 2);
    expect(OR_CHAIN_MAX).toBe(15);
  });

  it("keeps every first wave read within the batch limit per version", () => {
    const v1 = TOP_LEVEL_READS.filter((r) => r.version === "v1.0").length;
    expect(Math.ceil(v1 / 20)).toBeLessThanOrEqual(2);
  });
});
