/**
 * Monitoring deploy end to end (docs/deploy.md "Monitoring resources"): before.json with a
 * workspace named in the config, plan -> apply (Graph and ARM steps through the real client stack
 * and the HTTPS emulator) -> keys -> apply leaves EA-MON-01..04 passing on what a fresh read sees,
 * and the next plan has no changes. The rules name accounts and a group that the same plan creates:
 * their ids reach the queries at apply (`{{ref:...}}`).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createArmWriter, createGraphWriter } from "../../src/graph/index.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { clientsFor, loadFixture } from "../e2e/helpers.js";
import { startApplyHarness, type ApplyHarness } from "./apply-support.js";

const SUB = "5a1b2c3d-0000-4000-8000-00000000c0de";
const RG = `/subscriptions/${SUB}/resourceGroups/rg-sec`;
const WS = `${RG}/providers/Microsoft.OperationalInsights/workspaces/law-sec`;

async function withWorkspace(): Promise<Snapshot> {
  const s = await loadFixture("before");
  s.azure = {
    ...s.azure,
    subscriptions: [{ subscriptionId: SUB, displayName: "Security", state: "Enabled" }],
    workspaces: [
      {
        id: WS,
        name: "law-sec",
        type: "Microsoft.OperationalInsights/workspaces",
        location: "westeurope",
        properties: { customerId: "c0ffee00-0000-4000-8000-000000000001", retentionInDays: 30 },
      } as never,
    ],
  };
  return s;
}

const AZURE = `
azure:
  subscriptionId: ${SUB}
  resourceGroup: rg-sec
  workspace: law-sec
  actionGroup:
    receivers:
      email: [{ name: soc, address: soc@example.com }]
`;

describe("monitoring deploy on before.json", () => {
  let h: ApplyHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("plan, apply, keys, apply: EA-MON-01..04 pass on a fresh read and the next plan has no changes", async () => {
    h = await startApplyHarness({ snapshot: await withWorkspace(), config: (yaml) => `${yaml}${AZURE}` });
    const harness = h;
    const waits = {
      sleep: async (ms: number) => void (harness.clock.now += ms),
      now: () => harness.clock.now,
    };
    const senders = {
      senders: (c: Parameters<typeof createGraphWriter>[0] & Parameters<typeof createArmWriter>[0]) => ({
        graph: createGraphWriter(c, { caPem: harness.emu.caPem, ...waits }),
        arm: createArmWriter(c, { caPem: harness.emu.caPem, ...waits }),
      }),
    };
    const plan = await h.plan({ exitCode: true });
    expect(plan.stdout).toContain("signinAlert.signin");
    expect(plan.stdout).toContain("diagnostics.breakglass-entra-logs");

    const first = await h.applyCmd(undefined, { yes: true }, senders);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/signinAlert\.signin: done/);
    for (const upn of ["kp7wd@northwindtraders.onmicrosoft.com", "tr3zm@northwindtraders.onmicrosoft.com"])
      await h.enroll(upn);
    const second = await h.applyCmd(undefined, { yes: true }, senders);
    expect(second.code).toBe(0);

    const results = await h.assess();
    expect(results.filter((r) => /^EA-MON-0[1-4]$/.test(r.id)).map((r) => [r.id, r.status])).toEqual([
      ["EA-MON-01", "pass"],
      ["EA-MON-02", "pass"],
      ["EA-MON-03", "pass"],
      ["EA-MON-04", "pass"],
    ]);
    const rule = (await h.read()).azure!.scheduledQueryRules!.find((r) => r.name === "breakglass-signin")!;
    const query = (rule.properties as any).criteria.allOf[0].query as string;
    expect(query).not.toContain("{{ref:");
    expect(query).toMatch(/UserId in~ \("[0-9a-f-]{36}", "[0-9a-f-]{36}"\)/);

    const last = await h.plan({ exitCode: true });
    expect(last.stdout).toContain("No changes.");
    expect(last.code).toBe(0);

    // drift in two places; `apply --target exclusions --yes` restores the exclusion and only that
    const snapshot = await h.read();
    const groupId = snapshot.groups!.find((g) => g.displayName === "grp-h4821")!.id;
    const policy = snapshot.conditionalAccessPolicies!.find(
      (p) =>
        (p.conditions as any)?.users?.excludeGroups?.includes(groupId) && !p.displayName?.startsWith("CA900"),
    )!;
    const users = (policy.conditions as any).users;
    const lost = await h.graph("PATCH", `/v1.0/identity/conditionalAccess/policies/${policy.id}`, {
      conditions: {
        users: { ...users, excludeGroups: users.excludeGroups.filter((g: string) => g !== groupId) },
      },
    });
    expect(lost.status).toBe(204);
    const arm = createArmWriter(clientsFor(h.emu), {
      caPem: h.emu.caPem,
      ...waits,
    });
    const raised = await arm.execute({
      request: {
        method: "PATCH",
        url: `${RG}/providers/Microsoft.Insights/scheduledQueryRules/breakglass-signin?api-version=2023-12-01`,
        body: { properties: { severity: 3 } },
      },
    });
    expect(raised).toMatchObject({ ok: true });
    const drifted = await h.plan({ exitCode: true });
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toContain("signinAlert.signin");
    expect(drifted.stdout).toContain("exclusions.");

    const fix = await h.applyCmd(undefined, { yes: true, target: ["exclusions"] }, senders);
    expect(fix.code).toBe(0);
    expect(fix.stdout).toMatch(/exclusions\.[^\n]*: done/);
    expect(fix.stdout).not.toContain("signinAlert");
    const after = await h.plan({ exitCode: true });
    expect(after.code).toBe(1);
    expect(after.stdout).not.toContain("exclusions.");
    expect(after.stdout).toContain("signinAlert.signin");
  }, 180_000);
});
