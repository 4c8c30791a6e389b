/**
 * Drift is `plan --exit-code` (docs/deploy.md "Drift and schedules"), on the live emulator: the
 * monitoring steps of a plan are sent through the ARM writer, a second plan exits 0, and then each
 * edit someone could make through ARM or Graph (an alert rule narrowed, its severity raised, its
 * action group removed; a diagnostic category dropped; a policy that loses the group exclusion)
 * makes `plan --exit-code` exit 1 and name what moved. (`apply --target exclusions --yes` restoring
 * only the exclusion belongs with the apply executor's tests.)
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator/index.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { Config } from "../../src/config/schema.js";
import { derivePlan } from "../../src/deploy/plan.js";
import { createArmWriter, createGraphWriter } from "../../src/graph/index.js";
import { clientsFor, exportFrom } from "../e2e/helpers.js";
import { clone, sample } from "./support.js";

type Json = Record<string, any>;
const SUB = "c4dc243a-4136-4157-913f-7fdb443989e1";
const RG = `/subscriptions/${SUB}/resourceGroups/rg-monitoring-prod-weu-01`;
const good = sample("good");
const azure = {
  ...good.config.azure,
  subscriptionId: SUB,
  resourceGroup: "rg-monitoring-prod-weu-01",
  workspace: "log-identity-prod-weu",
  actionGroup: { receivers: { email: [{ name: "soc", address: "soc@example.com" }] } },
};

// One tenant, changed step by step: each test starts from the drift the one before left, so the
// order is part of the test (kept under `--sequence.shuffle`).
describe("drift on the live tenant", { shuffle: false }, () => {
  let emu: RunningEmulator;
  let dir: string;
  let arm: ReturnType<typeof createArmWriter>;
  let graph: ReturnType<typeof createGraphWriter>;

  const plan = async (): Promise<{ code: number; text: string }> => {
    let text = "";
    const config = Config.parse({ ...good.config, azure });
    const code = await runPlan(
      { config: "breakglass.yaml", exitCode: true },
      { stdout: (t) => void (text += t), stderr: () => {}, cwd: dir, clock: () => new Date() },
      { read: async () => (await exportFrom(emu, { config })).snapshot },
    );
    return { code, text };
  };

  beforeAll(async () => {
    const snapshot = clone(good.snapshot);
    const az = snapshot.azure as Json;
    az.diagnosticSettings = [];
    az.scheduledQueryRules = [];
    az.actionGroups = [];
    emu = await startEmulator({ snapshot, deployer: true, throttle: false });
    dir = await mkdtemp(join(tmpdir(), "bg-drift-"));
    const yaml = parse(
      await readFile(new URL("../../fixtures/tenants/good.breakglass.yaml", import.meta.url), "utf8"),
    );
    await writeFile(join(dir, "breakglass.yaml"), stringify({ ...yaml, azure }));
    const clients = clientsFor(emu);
    const waits = { sleep: async () => undefined };
    arm = createArmWriter(clients, { caPem: emu.caPem, ...waits });
    graph = createGraphWriter(clients, { caPem: emu.caPem, ...waits });
    // the monitoring steps, sent as apply sends them (the ARM writer's execute)
    const read = (await exportFrom(emu)).snapshot;
    const steps = derivePlan(read, Config.parse({ ...good.config, azure })).steps;
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      expect(step.request.service).toBe("arm");
      expect(await arm.execute(step)).toMatchObject({ ok: true });
    }
  });
  afterAll(async () => {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("in line after the monitoring steps: plan --exit-code exits 0", async () => {
    expect(await plan()).toMatchObject({ code: 0, text: expect.stringContaining("No changes.") });
  });

  it("a rule narrowed to one account, its severity raised and its action group removed: exit 1, named", async () => {
    const url = `${RG}/providers/Microsoft.Insights/scheduledQueryRules/breakglass-signin?api-version=2023-12-01`;
    const account = good.snapshot.users!.find((u) => u.userPrincipalName?.startsWith("zt4p9w@"))!.id;
    const edit = {
      properties: {
        severity: 3,
        criteria: {
          allOf: [
            {
              query: `SigninLogs | where UserId == "${account}"`,
              timeAggregation: "Count",
              operator: "GreaterThan",
              threshold: 0,
              failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
            },
          ],
        },
        actions: { actionGroups: [] },
      },
    };
    expect(await arm.execute({ request: { method: "PATCH", url, body: edit } })).toMatchObject({ ok: true });
    const { code, text } = await plan();
    expect(code).toBe(1);
    expect(text).toContain("signinAlert.signin");
    expect(text).toMatch(/severity: 3 -> 0/);
    expect(text).toContain("actions");
    expect(text).toContain("criteria");
  });

  it("a diagnostic category removed: exit 1, the setting and the category named", async () => {
    const url = "/providers/microsoft.aadiam/diagnosticSettings/breakglass-entra-logs?api-version=2017-04-01";
    const workspaceId = `${RG}/providers/Microsoft.OperationalInsights/workspaces/log-identity-prod-weu`;
    const body = {
      properties: {
        workspaceId,
        logs: [
          { category: "SignInLogs", enabled: true },
          { category: "NonInteractiveUserSignInLogs", enabled: true },
        ],
      },
    };
    expect(await arm.execute({ request: { method: "PUT", url, body } })).toMatchObject({ ok: true });
    const { code, text } = await plan();
    expect(code).toBe(1);
    expect(text).toContain("diagnostics.breakglass-entra-logs");
    expect(text).toContain("logs.AuditLogs.enabled");
  });

  it("a policy that loses the group exclusion: exit 1, the policy named", async () => {
    const group = { id: good.config.group! };
    const policy = (good.snapshot.conditionalAccessPolicies as Json[]).find(
      (p) =>
        (p.conditions?.users?.excludeGroups ?? []).includes(group.id) && p.displayName?.startsWith("CA0"),
    )!;
    const users = {
      ...policy.conditions.users,
      excludeGroups: policy.conditions.users.excludeGroups.filter((g: string) => g !== group.id),
    };
    const result = await graph.execute({
      request: {
        method: "PATCH",
        url: `/v1.0/identity/conditionalAccess/policies/${policy.id}`,
        body: { conditions: { users } },
      },
    });
    expect(result).toMatchObject({ ok: true });
    const { code, text } = await plan();
    expect(code).toBe(1);
    expect(text).toContain("exclusions.");
    expect(text).toContain(policy.displayName);
  });
});
