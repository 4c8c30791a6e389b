import { describe, expect, it } from "vitest";
import {
  IN_FILTER_MAX,
  TOP_LEVEL_READS,
  auditReads,
  pimGroupReads,
  signInActivityReads,
  signInReads,
} from "../../src/collect/reads.js";
import { USER_PROPERTIES } from "../../src/snapshot/schema.js";

const decoded = (url: string) => decodeURIComponent(url);

describe("export reads", () => {
  it("selects every USER_PROPERTIES property and reads signInActivity apart", () => {
    const users = TOP_LEVEL_READS.find((r) => r.path === "users")!;
    for (const p of USER_PROPERTIES) expect(users.url).toContain(p);
    expect(users.url).not.toContain("signInActivity");
    expect(TOP_LEVEL_READS.find((r) => r.path === "users.signInActivity")!.url).toContain("$top=120");
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

  it("reads beta sign-ins of both event types per subject, and audits by target and initiator", () => {
    const [s] = signInReads(["u1"]);
    expect(s!.version).toBe("beta");
    expect(decoded(s!.url)).toContain(
      "userId eq 'u1' and signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')",
    );
    expect(auditReads(["u1"]).map((r) => decoded(r.url))).toEqual([
      expect.stringContaining("targetResources/any(t: t/id eq 'u1')"),
      expect.stringContaining("initiatedBy/user/id eq 'u1'"),
    ]);
  });

  it("keeps every first wave read within the batch limit per version", () => {
    const v1 = TOP_LEVEL_READS.filter((r) => r.version === "v1.0").length;
    expect(Math.ceil(v1 / 20)).toBeLessThanOrEqual(2);
  });
});
