/**
 * The deploy walkthrough on before.json through the HTTPS emulator and the real client stack:
 * plan -> apply -> the accounts' keys registered -> apply -> the emergency access checks pass,
 * and a last plan says `No changes.`; once with the restricted administrative unit.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CHECK_SEVERITIES } from "../../src/config/schema.js";
import { startApplyHarness, type ApplyHarness } from "./apply-support.js";

const ACCOUNTS = ["kp7wd@northwindtraders.onmicrosoft.com", "tr3zm@northwindtraders.onmicrosoft.com"];

async function walkthrough(h: ApplyHarness) {
  const plan = await h.plan({ exitCode: true });
  expect(plan.code).toBe(1);
  expect(plan.stdout).toMatch(/Plan: \d+ to create/);

  const first = await h.applyCmd(undefined, { yes: true });
  expect(first.stderr).toBe("");
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/\+ accounts\.kp7wd: done \([0-9a-f-]{36}\)/);
  expect(first.stdout).toMatch(
    /Apply complete: \d+ created, \d+ updated, 0 destroyed; \d+ waiting for enrollment \(breakglass enroll kp7wd@/,
  );

  const waiting = await h.plan({ exitCode: true });
  expect(waiting.stdout).toContain("No changes.");
  expect(waiting.code).toBe(0);

  for (const upn of ACCOUNTS) await h.enroll(upn);

  const second = await h.applyCmd(undefined, { yes: true });
  expect(second.stderr).toBe("");
  expect(second.code).toBe(0);
  expect(second.stdout).toMatch(/activate\.ca900-h4821: done/);

  const results = await h.assess();
  const bad = results.filter(
    (r) =>
      /^EA-(ACC|ROLE|AUTH|CA)-/.test(r.id) &&
      CHECK_SEVERITIES.indexOf(r.severity) <= CHECK_SEVERITIES.indexOf("medium") &&
      ["fail", "unknown", "error"].includes(r.status),
  );
  expect(
    bad.map((r) => `${r.id} ${r.status}: ${r.reason ?? r.findings.map((f) => f.message).join("; ")}`),
  ).toEqual([]);

  const last = await h.plan({ exitCode: true });
  expect(last.stdout).toContain("No changes.");
  expect(last.code).toBe(0);
}

describe("breakglass apply on the before.json sample", () => {
  let h: ApplyHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("plan, apply, enrollment, apply: the emergency access checks pass and the next plan has no changes", async () => {
    h = await startApplyHarness();
    await walkthrough(h);
  }, 120_000);

  it("the same with profile.restrictedAU: the accounts and group end in a restricted-management unit", async () => {
    h = await startApplyHarness({
      config: (yaml) => yaml.replace("restrictedAU: false", "restrictedAU: true"),
    });
    await walkthrough(h);
    const units = (await h.graph("GET", "/v1.0/directory/administrativeUnits")).body.value;
    expect(
      units.filter((u: any) => u.displayName === "au-h4821" && u.isMemberManagementRestricted),
    ).toHaveLength(1);
  }, 120_000);
});
