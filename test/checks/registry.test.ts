import { describe, expect, it } from "vitest";
import { assess, CHECKS } from "../../src/checks/registry.js";
import { Config } from "../../src/config/schema.js";
import { goodTenant } from "../support/tenant.js";

const CATALOGUE_ORDER = [
  ...Array.from({ length: 10 }, (_, i) => `EA-ACC-${String(i + 1).padStart(2, "0")}`),
  ...Array.from({ length: 6 }, (_, i) => `EA-ROLE-0${i + 1}`),
  ...Array.from({ length: 10 }, (_, i) => `EA-AUTH-${String(i + 1).padStart(2, "0")}`),
  ...Array.from({ length: 8 }, (_, i) => `EA-CA-0${i + 1}`),
  ...Array.from({ length: 5 }, (_, i) => `EA-MON-0${i + 1}`),
  ...Array.from({ length: 4 }, (_, i) => `EA-OPS-0${i + 1}`),
];

describe("registry", () => {
  it("lists every check of the catalogue once, in catalogue order", () => {
    expect(CHECKS.map((c) => c.id)).toEqual(CATALOGUE_ORDER);
  });
  it("gives every check a title, severity and sources", () => {
    for (const c of CHECKS) {
      expect(c.title.length).toBeGreaterThan(5);
      expect(c.sources.length).toBeGreaterThan(0);
    }
  });
  it("loads each implemented check's documentation from the Markdown beside it", () => {
    for (const c of CHECKS) {
      expect(c.docs, c.id).toMatch(new RegExp(`^# ${c.id}:`));
      for (const section of [
        "## What",
        "## Why",
        "## When it applies",
        "## How it is evaluated",
        "## How to fix",
      ])
        expect(c.docs, `${c.id} ${section}`).toContain(section);
      // every fix names the portal path, a Graph (or, for Azure Monitor, ARM) request and a
      // PowerShell (or az) command
      const fix = c.docs!.slice(c.docs!.indexOf("## How to fix"));
      expect(fix, c.id).toMatch(/Microsoft Entra admin center|mysignins|portal/i);
      expect(fix, c.id).toMatch(/graph\.microsoft\.com|management\.azure\.com/);
      expect(fix, c.id).toMatch(
        /(Get|Set|New|Update|Remove|Restore|Invoke)-(Mg|Az)|\baz (monitor|rest|role)/,
      );
    }
  });
  it("is pure: the same snapshot and config give the same results", () => {
    const { t } = goodTenant();
    const s = t.build();
    const c = Config.parse(t.config);
    expect(assess(s, c)).toEqual(assess(s, c));
  });
});

describe("assessWithAccounts", () => {
  it("returns the accounts the results were graded on", async () => {
    const { assessWithAccounts } = await import("../../src/checks/registry.js");
    const { t, bg1, bg2 } = goodTenant();
    const { accounts, results } = assessWithAccounts(t.build(), Config.parse(t.config));
    expect(accounts.method).toBe("config+group");
    expect(accounts.resolved.map((a) => a.id)).toEqual([bg1.id, bg2.id]);
    expect(results).toHaveLength(43);
  });
});

describe("the good tenant", () => {
  it("passes every account, role and authentication check", () => {
    const { t } = goodTenant();
    const results = assess(t.build(), Config.parse(t.config)).filter((r) =>
      /^EA-(ACC|ROLE|AUTH)-/.test(r.id),
    );
    expect(
      results.filter((r) => r.status !== "pass").map((r) => `${r.id}: ${r.status} ${r.reason ?? ""}`),
    ).toEqual([]);
  });
});
