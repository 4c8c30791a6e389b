/**
 * apply's refusals, each through the HTTPS emulator: exit 4 and nothing sent from the refused step
 * on. The lockout gate on the fresh read, a plan file that is stale or edited, the apply lock, and
 * a credential without deploy's write permissions.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index.js";
import { clientsFor } from "../e2e/helpers.js";
import { startApplyHarness, type ApplyHarness } from "./apply-support.js";

const ACCOUNTS = ["kp7wd@northwindtraders.onmicrosoft.com", "tr3zm@northwindtraders.onmicrosoft.com"];
/** a key model the enrolled keys are not (YubiKey Bio) */
const OTHER_MODEL = "d8522d9f-575b-4866-88a9-ba99fa02f35b";

/** The requests that change something (every endpoint but GETs, read batches and the token). */
const writes = (emu: RunningEmulator): string[] =>
  Object.keys(emu.counters().requests.byEndpoint).filter(
    (e) => !/^GET |^POST \/\$batch|oauth2\/v2\.0\/token$/.test(e),
  );

describe("apply's gates", () => {
  let h: ApplyHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("the lockout gate refuses a step that would lock the enrolled accounts out: exit 4, the counter-example, nothing sent", async () => {
    h = await startApplyHarness();
    expect((await h.applyCmd(undefined, { yes: true })).code).toBe(0);
    for (const upn of ACCOUNTS) await h.enroll(upn);
    expect((await h.applyCmd(undefined, { yes: true })).code).toBe(0);
    // The configuration now admits only a model the accounts' keys are not: restricting the
    // strength to it would leave the enrolled accounts no way in.
    const yaml = await readFile(h.configFile, "utf8");
    await writeFile(
      h.configFile,
      yaml.replace("keyModels: []", `keyModels: [${OTHER_MODEL}]\n  restrictKeyModels: true`),
    );
    h.emu.resetCounters();
    const run = await h.applyCmd(undefined, { yes: true });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/Refused by the lockout gate before strength\.strength-h4821\.models/);
    expect(run.stderr).toMatch(/kp7wd@northwindtraders\.onmicrosoft\.com would no longer provably get in/);
    expect(run.stderr).toMatch(/Sign-ins that would fail after the step:\n {4}\S/);
    expect(writes(h.emu)).toEqual([]);
    const journals = [...(await h.files())].filter(([name]) => name.startsWith(".breakglass/journal/"));
    expect(journals.map(([, text]) => text.trim().split("\n").at(-1))).toContainEqual(
      expect.stringMatching(/^\{"type":"refused","at":"[^"]+","step":"strength\.strength-h4821\.models"/),
    );
  }, 120_000);

  it("a plan file is refused when a policy changed since the plan: exit 4 naming it, nothing sent", async () => {
    h = await startApplyHarness();
    expect((await h.plan({ out: "plan.json" })).code).toBe(0);
    const policies = (await h.graph("GET", "/v1.0/identity/conditionalAccess/policies")).body.value;
    const target = policies.find(
      (p: any) => p.displayName === "NW05 - Azure management - Require MFA (old, off)",
    );
    expect(
      (
        await h.graph("PATCH", `/v1.0/identity/conditionalAccess/policies/${target.id}`, {
          conditions: { users: { ...target.conditions.users, excludeUsers: ["All"].slice(0, 0) } },
          state: "enabled",
        })
      ).status,
    ).toBe(204);
    h.emu.resetCounters();
    const run = await h.applyCmd("plan.json");
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(
      "plan.json: the plan is not what a fresh read and the configuration give now",
    );
    expect(run.stderr).toContain("NW05 - Azure management - Require MFA (old, off) changed since the plan");
    expect(writes(h.emu)).toEqual([]);
  }, 60_000);

  it("a hand-edited plan file is refused: exit 4, nothing sent; the unedited one applies", async () => {
    h = await startApplyHarness();
    expect((await h.plan({ out: "plan.json" })).code).toBe(0);
    const path = join(h.dir, "plan.json");
    const text = await readFile(path, "utf8");
    const plan = JSON.parse(text);
    plan.steps[0].request.body.displayName = "attacker's choice";
    await writeFile(path, JSON.stringify(plan));
    h.emu.resetCounters();
    const run = await h.applyCmd("plan.json");
    expect(run.code).toBe(4);
    expect(run.stderr).toContain("the plan's content does not match its id (the file was edited)");
    expect(run.stderr).toContain("step accounts.kp7wd: request differ from a fresh derivation");
    expect(writes(h.emu)).toEqual([]);

    await writeFile(path, text);
    const good = await h.applyCmd("plan.json");
    expect(good.stderr).toBe("");
    expect(good.code).toBe(0);
    // a plan file is applied without a question: it was reviewed when it was made
    expect(good.asked).toEqual([]);
  }, 60_000);

  it("two applies never run at once: a held lock refuses with exit 4 naming its holder", async () => {
    h = await startApplyHarness();
    const lock = await h.store().lock("apply", "breakglass apply (scheduled)");
    try {
      h.emu.resetCounters();
      const run = await h.applyCmd(undefined, { yes: true });
      expect(run.code).toBe(4);
      expect(run.stderr).toMatch(
        new RegExp(
          `\\.breakglass/apply\\.lock is held by breakglass apply \\(scheduled\\) \\(pid ${process.pid} on `,
        ),
      );
      expect(Object.keys(h.emu.counters().requests.byEndpoint)).toEqual([]);
    } finally {
      await lock.release();
    }
  }, 60_000);

  it("the write-permission gate lists what a read-only credential lacks, before anything is sent", async () => {
    h = await startApplyHarness();
    const reader = h.emu.apps.find((a) => a.clientId !== h!.emu.env.AZURE_CLIENT_ID && a.secrets.length)!;
    h.emu.resetCounters();
    const run = await h.applyCmd(
      undefined,
      { yes: true },
      { clients: () => clientsFor(h!.emu, { clientId: reader.clientId, secret: reader.secrets[0]! }) },
    );
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /refused before sending anything: the credential lacks Graph permissions .*User\.Create/,
    );
    expect(run.stderr).toContain("Policy.ReadWrite.ConditionalAccess");
    expect(run.stderr).toContain("the directory role Privileged Authentication Administrator for the app");
    expect(writes(h.emu)).toEqual([]);
  }, 60_000);

  it("without a terminal and without --yes, apply refuses to run (exit 2) and says how", async () => {
    h = await startApplyHarness();
    const run = await h.applyCmd();
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("breakglass apply --yes");
    expect(Object.keys(h.emu.counters().requests.byEndpoint)).toEqual([]);
  });

  it("on a terminal, apply asks and sends nothing unless the answer is yes", async () => {
    h = await startApplyHarness();
    h.emu.resetCounters();
    const run = await h.applyCmd(undefined, { interactive: true, answers: ["y"] });
    expect(run.asked[0]).toMatch(/Apply these \d+ changes to Northwind Traders\? Only "yes" is accepted/);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain("apply cancelled: nothing was sent");
    expect(writes(h.emu)).toEqual([]);
  }, 60_000);
});
