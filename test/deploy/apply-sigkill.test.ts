/**
 * The real thing behind test/deploy/apply-kill.test.ts: `breakglass apply` as a separate process,
 * killed with SIGKILL in the middle of its writes, then run again. The second run
 * takes over the dead process's lock, finds what the first one created instead of creating it again,
 * and finishes: one of each account, group, strength and policy.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, breakglass, ROOT } from "../support/cli.js";
import { startApplyHarness, type ApplyHarness } from "./apply-support.js";

describe("apply killed with SIGKILL", () => {
  let h: ApplyHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("a second run converges with no duplicate", async () => {
    h = await startApplyHarness();
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...h.emu.env } as Record<
      string,
      string
    >;
    const args = ["apply", "--yes", "--config", h.configFile];
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    // apply prints each step as it is done: after the second, the run is in the middle of its writes.
    let out = "";
    let killed = false;
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (!killed && (out.match(/: done/g) ?? []).length >= 2) killed = child.kill("SIGKILL");
    });
    await exited;
    expect(killed).toBe(true);
    expect(await exited).toBe("SIGKILL");
    const lock = await readFile(join(h.dir, ".breakglass/apply.lock"), "utf8");
    expect(JSON.parse(lock).pid).toBe(child.pid);

    const again = await breakglass(args, env);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);

    const s = await h.read();
    const count = (xs: Array<{ displayName?: string | null }> | undefined, name: RegExp) =>
      (xs ?? []).filter((x) => name.test(x.displayName ?? "")).length;
    const config = await h.config();
    for (const upn of config.accounts ?? [])
      expect((s.users ?? []).filter((u) => u.userPrincipalName === upn)).toHaveLength(1);
    const names = config.names!;
    expect(count(s.groups, new RegExp(`^${names.group!.displayName}$`))).toBe(1);
    expect(count(s.authenticationStrengthPolicies, new RegExp(`^${names.strength}$`))).toBe(1);
    expect(count(s.conditionalAccessPolicies, new RegExp(`^${names.policy}$`))).toBe(1);
    const plan = await h.plan({ exitCode: true });
    expect(plan.stdout).toContain("No changes.");
  }, 180_000);
});
