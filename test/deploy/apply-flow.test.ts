/**
 * The deploy walkthrough on before.json through the HTTPS emulator and the real client stack:
 * plan -> apply -> the accounts' keys registered -> apply -> the emergency access checks pass,
 * and a last plan says `No changes.`; once with the restricted administrative unit.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CHECK_SEVERITIES } from "../../src/config/schema.js";
import { startApplyHarness, type ApplyHarness } from "./apply-support.js";

const ACCOUNTS = ["kp7wd@northwindtraders.onmicrosoft.com", "tr3zm@northwindtraders.onmicrosoft.com"];
const TAP =
  "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass";

/** The Temporary Access Pass method's state and include targets, as Graph reads them back. */
async function tapTargets(h: ApplyHarness) {
  const tap = (await h.graph("GET", TAP)).body;
  return { state: tap.state, ids: tap.includeTargets.map((t: { id: string }) => t.id) };
}

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

  const group = (await h.graph("GET", "/v1.0/groups?$filter=displayName eq 'grp-h4821'")).body.value[0].id;
  // While the accounts await their keys the pass reaches the group (before.json had the method off).
  expect(await tapTargets(h)).toEqual({ state: "enabled", ids: [group] });

  const waiting = await h.plan({ exitCode: true });
  expect(waiting.stdout).toContain("No changes.");
  expect(waiting.code).toBe(0);

  for (const upn of ACCOUNTS) await h.enroll(upn);

  const second = await h.applyCmd(undefined, { yes: true });
  expect(second.stderr).toBe("");
  expect(second.code).toBe(0);
  expect(second.stdout).toMatch(/activate\.ca900-h4821: done/);
  expect(second.stdout).toMatch(/methods\.temporaryaccesspass: done/);
  // Enrollment is over: the group is out of the pass's targets, and the method off again as it was.
  const after = await tapTargets(h);
  expect(after.ids).not.toContain(group);
  expect(after).toEqual({ state: "disabled", ids: ["all_users"] });

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
