/**
 * `runbook --reviewed-by` writes the review through `withReview`: the registry as written (comments
 * and all) with `review:` replaced, validated before and after; EA-OPS-04 reads what it writes.
 */
import { describe, expect, it } from "vitest";
import { check as ops04 } from "../../src/checks/ea-ops-04-runbook-review.js";
import { parseCustody, withReview } from "../../src/records/custody.js";
import { goodTenant } from "../support/tenant.js";

const REGISTRY = `# custody of the emergency keys: reviewed with the CISO
custodians:
  - { name: Ana, since: 2026-01-01, trainedOn: 2026-02-01 } # joined at setup
  - { name: Bo, since: 2026-01-01, trainedOn: 2026-02-01 }
runbook: { location: site-c/binder, readers: [Ana, Bo], changedOn: 2026-01-15 }
review: { date: 2026-03-01, by: Bo }
`;

describe("withReview", () => {
  it("replaces review: and keeps every other line and comment", () => {
    const out = withReview(REGISTRY, { date: "2026-10-30", by: "Ana" });
    expect(parseCustody(out).review).toEqual({ date: "2026-10-30", by: "Ana" });
    expect(out).toContain("# custody of the emergency keys: reviewed with the CISO");
    expect(out).toContain("# joined at setup");
    expect(parseCustody(out).custodians).toEqual(parseCustody(REGISTRY).custodians);
    expect(out).not.toContain("2026-03-01");
  });

  it("adds review: to a registry that has none, even one of comments only", () => {
    const none = REGISTRY.replace(/^review:.*\n/m, "");
    expect(parseCustody(withReview(none, { date: "2026-10-30", by: "Ana" })).review?.by).toBe("Ana");
    const comments = "# nothing registered yet\n";
    const out = withReview(comments, { date: "2026-10-30", by: "Ana" });
    expect(out.startsWith(comments)).toBe(true);
    expect(parseCustody(out).review).toEqual({ date: "2026-10-30", by: "Ana" });
  });

  it("refuses an invalid registry or an empty reviewer, naming the field", () => {
    expect(() => withReview("custodians: [{ name: Ana }]\n", { date: "2026-10-30", by: "Ana" })).toThrow(
      /custodians\[0\]\.since/,
    );
    expect(() => withReview(REGISTRY, { date: "2026-10-30", by: " " })).toThrow(/--reviewed-by is empty/);
  });

  it("is what EA-OPS-04 reads: a stale review fails, the recorded one passes", () => {
    const g = goodTenant();
    const run = (text: string) => {
      g.t.records = { root: "/cfg", custody: parseCustody(text), access: [], hasAccessRecords: false };
      return g.t.run(ops04);
    };
    const stale = run(REGISTRY);
    expect(stale.status).toBe("fail");
    expect(stale.findings[0]!.message).toMatch(/last reviewed \d+ days ago/);
    const reviewed = run(withReview(REGISTRY, { date: "2026-10-30", by: "Ana" }));
    expect(reviewed.status).toBe("pass");
    expect(reviewed.findings[0]!.message).toMatch(/reviewed \d+ days ago by Ana/);
  });
});
