/**
 * `breakglass apply` in its own process against the emulator, as a scheduled job runs it (and as
 * a test that kills the process mid-run needs it): environment from the emulator, the CA trusted
 * through NODE_EXTRA_CA_CERTS, `--yes`, no terminal.
 */
import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index.js";
import { breakglass } from "../support/cli.js";
import { emulate, FIXTURES, loadFixture } from "../e2e/helpers.js";

describe("breakglass apply (a separate process)", () => {
  let emu: RunningEmulator;
  let dir: string;
  beforeAll(async () => {
    emu = await emulate(await loadFixture("before"), { deployer: true });
    dir = await mkdtemp(join(tmpdir(), "bg-apply-cli-"));
    await copyFile(join(FIXTURES, "before.breakglass.yaml"), join(dir, "breakglass.yaml"));
  });
  afterAll(async () => {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const env = () => ({ ...emu.env }) as unknown as Record<string, string>;

  it("without --yes and without a terminal it refuses with exit 2 and the fix", async () => {
    const r = await breakglass(["apply", "--config", join(dir, "breakglass.yaml")], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("breakglass apply --yes");
  });

  it("--yes --target accounts: creates the accounts, journals them, releases the lock", async () => {
    const r = await breakglass(
      ["apply", "--yes", "--target", "accounts", "--config", join(dir, "breakglass.yaml")],
      env(),
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\+ accounts\.kp7wd: done \([0-9a-f-]{36}\)/);
    expect(r.stdout).toContain("Apply complete: 2 created, 0 updated, 0 destroyed");
    expect(await readdir(join(dir, ".breakglass"))).toEqual(["journal"]);
    expect(await readdir(join(dir, ".breakglass", "journal"))).toHaveLength(1);
    const again = await breakglass(
      ["apply", "--yes", "--target", "accounts", "--config", join(dir, "breakglass.yaml")],
      env(),
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("No changes.");
  });
});
