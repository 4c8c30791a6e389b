/**
 * Secrets (docs/deploy.md "Secrets"): the generated passwords never reach a file apply writes (the
 * journal, the lock, a plan file), stdout or stderr of a run without a terminal; a kept password is
 * shown only after enrollment, only on a terminal, once (or in two halves on their own screens).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generatePassword, PASSWORD_LENGTH } from "../../src/deploy/apply/secrets.js";
import { startApplyHarness, type ApplyHarness } from "./apply-support.js";

const ACCOUNTS = ["kp7wd@northwindtraders.onmicrosoft.com", "tr3zm@northwindtraders.onmicrosoft.com"];

/** Passwords the test can look for: real CSPRNG output, remembered. */
function recorder() {
  const made: string[] = [];
  return {
    made,
    password: () => {
      const p = generatePassword();
      made.push(p);
      return p;
    },
  };
}

const kept = (delivery: string) => (yaml: string) =>
  yaml.replace("passwords: discarded", `passwords: kept\n  passwordDelivery: ${delivery}`);

describe("apply and secrets", () => {
  let h: ApplyHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("generates 64-character passwords of every character class from a CSPRNG", () => {
    const a = generatePassword();
    expect(a).toHaveLength(PASSWORD_LENGTH);
    for (const cls of [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/]) expect(a).toMatch(cls);
    expect(generatePassword()).not.toBe(a);
  });

  it("discarded: no password in any file written, the journal, stdout or stderr", async () => {
    h = await startApplyHarness();
    const r = recorder();
    expect((await h.plan({ out: "plan.json" })).code).toBe(0);
    const run = await h.applyCmd("plan.json", {}, { password: r.password });
    expect(run.code).toBe(0);
    expect(r.made).toHaveLength(2);
    const files = await h.files();
    expect([...files.keys()].sort()).toEqual([
      expect.stringMatching(/^\.breakglass\/journal\/[0-9a-f]{32}\.jsonl$/),
      "breakglass.yaml",
      "plan.json",
    ]);
    expect(files.get("plan.json")).toContain('"password": "{{secret}}"');
    for (const secret of r.made) {
      for (const [name, text] of files) expect(text.includes(secret), name).toBe(false);
      expect(run.stdout.includes(secret)).toBe(false);
      expect(run.stderr.includes(secret)).toBe(false);
    }
  }, 60_000);

  it("kept: nothing shown at creation; after enrollment apply refuses without a terminal, then shows each password once", async () => {
    h = await startApplyHarness({ config: kept("show-once") });
    const r = recorder();
    const first = await h.applyCmd(undefined, { yes: true }, { password: r.password });
    expect(first.code).toBe(0);
    for (const secret of r.made) expect(first.stdout.includes(secret)).toBe(false);
    for (const upn of ACCOUNTS) await h.enroll(upn);

    const plan = await h.plan();
    expect(plan.stdout).toMatch(
      /~ accounts\.kp7wd\.password +set the kept password of kp7wd@\S+ and show it once/,
    );

    h.emu.resetCounters();
    const headless = await h.applyCmd(undefined, { yes: true }, { password: r.password });
    expect(headless.code).toBe(2);
    expect(headless.stderr).toContain("there is no terminal to show them on");
    expect(
      Object.keys(h.emu.counters().requests.byEndpoint).filter((e) => /^(PATCH|POST|DELETE) \/v1/.test(e)),
    ).toEqual([]);

    const before = r.made.length;
    const shown = await h.applyCmd(
      undefined,
      { interactive: true, answers: ["yes"] },
      { password: r.password },
    );
    expect(shown.code).toBe(0);
    const delivered = r.made.slice(before);
    expect(delivered).toHaveLength(2);
    for (const secret of delivered) {
      expect(shown.stdout.split(secret)).toHaveLength(2); // exactly once
      // the screen is cleared after the person confirms it is stored
      expect(shown.stdout.slice(shown.stdout.indexOf(secret))).toMatch(
        /press Enter to clear the screen: \n\[screen cleared\]/,
      );
    }
    for (const [name, text] of await h.files())
      for (const secret of r.made) expect(text.includes(secret), name).toBe(false);
    // delivered: the next plan has nothing left to do
    const last = await h.plan({ exitCode: true });
    expect(last.stdout).toContain("No changes.");
  }, 120_000);

  it("kept, split: each half on its own screen, with a pause before each", async () => {
    h = await startApplyHarness({ config: kept("split") });
    expect((await h.applyCmd(undefined, { yes: true })).code).toBe(0);
    for (const upn of ACCOUNTS) await h.enroll(upn);
    const r = recorder();
    const run = await h.applyCmd(
      undefined,
      { interactive: true, answers: ["yes"] },
      { password: r.password },
    );
    expect(run.code).toBe(0);
    const [secret] = r.made;
    const halves = [secret!.slice(0, 32), secret!.slice(32)];
    expect(run.stdout.includes(secret!)).toBe(false);
    const screens = run.stdout.split("[screen cleared]");
    const holding = halves.map((half) => screens.findIndex((s) => s.includes(half)));
    expect(holding[0]).toBeGreaterThanOrEqual(0);
    expect(holding[1]).toBeGreaterThan(holding[0]!);
    expect(screens[holding[0]!]).not.toContain(halves[1]);
    expect(screens[holding[1]! - 1]).toMatch(/Custodian 2 alone at the screen, then press Enter: \n$/);
  }, 120_000);

  it("kept, split to two files: each half in its own file only, without a terminal; the refusals send nothing", async () => {
    h = await startApplyHarness({ config: kept("split") });
    expect((await h.applyCmd(undefined, { yes: true })).code).toBe(0);
    for (const upn of ACCOUNTS) await h.enroll(upn);
    const dir = h.dir;
    await mkdir(join(dir, "c1"));
    await mkdir(join(dir, "c2"));
    const twoDevices = { deviceOf: async (d: string) => (d.endsWith("c1") ? 1 : 2) };
    const r = recorder();
    const writes = () =>
      Object.keys(h!.emu.counters().requests.byEndpoint).filter((e) => /^(PATCH|POST|DELETE) \/v1/.test(e));

    // refused before anything is read or sent
    h.emu.resetCounters();
    await mkdir(join(dir, "repo", ".git"), { recursive: true });
    await writeFile(join(dir, "c2", "taken.txt"), "x");
    const refusals: Array<[[string, string], RegExp]> = [
      [["c1/h1.txt", "repo/h2.txt"], /inside the git work tree/],
      [["c1/h1.txt", "c1/h1.txt"], /are both/],
      [["c1/h1.txt", "c2/taken.txt"], /taken\.txt exists/],
    ];
    for (const [halves, why] of refusals) {
      const run = await h.applyCmd(undefined, { yes: true, halves }, { password: r.password, ...twoDevices });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(why);
    }
    const sameDisk = await h.applyCmd(undefined, { yes: true, halves: ["c1/h1.txt", "c2/h2.txt"] });
    expect(sameDisk.code).toBe(2);
    expect(sameDisk.stderr).toContain("on one file system");
    const config = await readFile(h.configFile, "utf8");
    await writeFile(h.configFile, config.replace("passwordDelivery: split", "passwordDelivery: show-once"));
    const notSplit = await h.applyCmd(
      undefined,
      { yes: true, halves: ["c1/h1.txt", "c2/h2.txt"] },
      twoDevices,
    );
    expect(notSplit.code).toBe(2);
    expect(notSplit.stderr).toContain("profile.passwordDelivery: split");
    await writeFile(h.configFile, config);
    expect(r.made).toEqual([]);
    expect(writes()).toEqual([]);

    const run = await h.applyCmd(
      undefined,
      { yes: true, halves: ["c1/h1.txt", "c2/h2.txt"] },
      { password: r.password, ...twoDevices },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(r.made).toHaveLength(2);
    expect(run.stdout).toMatch(
      /the halves of the password of kp7wd@\S+ are in \S+c1\/h1\.txt \(custodian 1\)/,
    );
    const files = await h.files();
    for (const secret of r.made) {
      const [first, second] = [secret.slice(0, 32), secret.slice(32)];
      for (const [name, text] of files) {
        expect(text.includes(secret), name).toBe(false);
        expect(text.includes(first), name).toBe(name === "c1/h1.txt");
        expect(text.includes(second), name).toBe(name === "c2/h2.txt");
      }
      for (const out of [run.stdout, run.stderr]) {
        expect(out.includes(first)).toBe(false);
        expect(out.includes(second)).toBe(false);
      }
    }
    expect((await h.plan({ exitCode: true })).stdout).toContain("No changes.");
  }, 120_000);
});
