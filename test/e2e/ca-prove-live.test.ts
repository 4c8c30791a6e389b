/**
 * `ca prove` without `--snapshot` reads the tenant as `assess` does: the export's collector
 * through the real client stack (@azure/identity, the Graph client) to the HTTPS emulator, with a
 * read-only app registration, and proves on what it read the same as on the sample file.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CountersSnapshot, RunningEmulator } from "../../emulator/index.js";
import { breakglass, type CliResult } from "../support/cli.js";
import { FIXTURES, emulate, loadFixture } from "./helpers.js";

const CONFIG = join(FIXTURES, "midsize.breakglass.yaml");

describe("ca prove on the live tenant", () => {
  let emu: RunningEmulator;
  let live: CliResult;
  let liveJson: CliResult;
  let fromFile: CliResult;
  let counters: CountersSnapshot;

  beforeAll(async () => {
    emu = await emulate(await loadFixture("midsize"));
    const env = { ...emu.env } as unknown as Record<string, string>;
    live = await breakglass(["ca", "prove", "--config", CONFIG], env);
    counters = emu.counters();
    liveJson = await breakglass(["ca", "prove", "--config", CONFIG, "--format", "json"], env);
    fromFile = await breakglass(
      ["ca", "prove", "--config", CONFIG, "--snapshot", join(FIXTURES, "midsize.json")],
      {},
    );
  }, 240_000);

  afterAll(async () => {
    await emu?.close();
  });

  it("proves on what it read as on the sample file", () => {
    expect(live.code, live.stderr).toBe(1); // the mid-size sample has a refuted account
    expect(fromFile.code).toBe(1);
    const timeless = (s: string) => s.replace(/\(\d+ ms\)/, "");
    expect(timeless(live.stdout)).toBe(timeless(fromFile.stdout));
    expect(live.stdout).toMatch(/^REFUTED {2}cld-w5t1@fabrikamind\.onmicrosoft\.com: /m);
    expect(JSON.parse(liveJson.stdout).accounts.map((a: { status: string }) => a.status)).toEqual(
      expect.arrayContaining(["proven", "refuted"]),
    );
  });

  it("only reads, with a token that holds no write permission", () => {
    const endpoints = Object.keys(counters.requests.byEndpoint);
    expect(endpoints).toContain("GET /identity/conditionalAccess/policies");
    const writes = endpoints.filter(
      (e) => !/^GET /.test(e) && !/\/oauth2\/v2\.0\/token$/i.test(e) && !/\$batch$/.test(e),
    );
    expect(writes).toEqual([]);
    expect(live.stderr).not.toMatch(/also grants/);
  });

  it("says the tenant could not be read (exit 3) when the credential is refused", async () => {
    const env = { ...emu.env, AZURE_CLIENT_SECRET: "wrong" } as unknown as Record<string, string>;
    const r = await breakglass(["ca", "prove", "--config", CONFIG], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot read the tenant/);
    expect(r.stdout).toBe("");
  });
});
