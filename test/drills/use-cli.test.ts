/**
 * `breakglass use record|close` in its own process against the emulator: the use record explains
 * the account's sign-ins (logs scan) for its window and at most 24 hours when left open; closing
 * records each after-use step once; bad input exits 2 naming the fix.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index.js";
import { AccessRecord } from "../../src/records/access.js";
import { windowExplaining, windowsOf } from "../../src/records/windows.js";
import { emulate, FIXTURES, loadFixture } from "../e2e/helpers.js";
import { breakglass } from "../support/cli.js";

const EA_UPN = "zt4p9w@contosomedical.onmicrosoft.com";

// One configuration folder for every test: records (uses, drills) pile up in order, and "logs scan"
// expects the sign-in to be explained by its use, not by a drill a later test records, so the order
// is part of the test (kept under `--sequence.shuffle`).
describe("breakglass use (a separate process)", { shuffle: false }, () => {
  let emu: RunningEmulator;
  let dir: string;
  const config = () => join(dir, "breakglass.yaml");
  const env = () => ({ ...emu.env }) as unknown as Record<string, string>;
  const run = (args: string[]) => breakglass([...args, "--config", config()], env());
  const recordOf = async (id: string) =>
    AccessRecord.parse(JSON.parse(await readFile(join(dir, "uses", `${id}.json`), "utf8")));

  beforeAll(async () => {
    emu = await emulate(await loadFixture("good"));
    dir = await mkdtemp(join(tmpdir(), "bg-use-cli-"));
    await copyFile(join(FIXTURES, "good.breakglass.yaml"), config());
  });
  afterAll(async () => {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("record opens a use window under the account's object id and prints every after-use step; close records them once", async () => {
    const r = await run(["use", "record", EA_UPN, "--reason", "CA lockout: INC-4711", "--by", "Ana"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const id = r.stdout.trim().split("\n").at(-1)!;
    expect(id).toMatch(/^use-\d{8}t\d{4}-[0-9a-f]{6}$/);
    for (const step of [
      "export-logs",
      "review-logs",
      "reset-password",
      "verify-keys",
      "revoke-sessions",
      "re-drill",
    ])
      expect(r.stdout).toContain(`[${step}]`);
    expect(r.stdout).toMatch(/Revoke sessions/);
    const opened = await recordOf(id);
    expect(opened).toMatchObject({ kind: "use", reason: "CA lockout: INC-4711", by: "Ana" });
    expect(opened.account.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(opened.account.userPrincipalName).toBe(EA_UPN);
    expect(opened.finishedAt).toBeUndefined();

    // Open: explains a sign-in an hour later, not one 25 hours later.
    const [window] = windowsOf([opened]);
    const start = Date.parse(opened.startedAt);
    expect(windowExplaining([window!], { id: opened.account.id }, start + 3_600_000)?.id).toBe(id);
    expect(windowExplaining([window!], { id: opened.account.id }, start + 25 * 3_600_000)).toBeUndefined();

    const partial = await run(["use", "close", id, "--done", "export-logs,review-logs,revoke-sessions"]);
    expect(partial.stderr).toBe("");
    expect(partial.code).toBe(1); // steps left undone
    expect(partial.stdout).toMatch(/done\s+export-logs/);
    expect(partial.stdout).toMatch(/skipped\s+re-drill/);
    const closed = await recordOf(id);
    expect(closed.finishedAt).toBeDefined();
    expect(closed.steps!.map((s) => `${s.step}:${s.status}`)).toEqual([
      "export-logs:done",
      "review-logs:done",
      "reset-password:skipped",
      "verify-keys:skipped",
      "revoke-sessions:done",
      "re-drill:skipped",
    ]);

    const again = await run(["use", "close", id, "--done", "re-drill"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/was closed at .*never changed/);
    expect(await recordOf(id)).toEqual(closed);

    const list = await run(["drill", "list"]);
    expect(list.stdout).toContain(id);
  });

  it("logs scan: a sign-in in the open use window is explained by the use, one 25 hours later is not", async () => {
    const r = await run(["use", "record", EA_UPN, "--reason", "federation outage"]);
    const id = r.stdout.trim().split("\n").at(-1)!;
    const use = await recordOf(id);
    const at = (ms: number) => new Date(Date.parse(use.startedAt) + ms).toISOString();
    const row = (time: string) =>
      JSON.stringify({
        TimeGenerated: time,
        UserId: use.account.id,
        UserPrincipalName: EA_UPN,
        ResultType: "0",
      });
    const log = join(dir, "signins.jsonl");
    await writeFile(log, `${row(at(60_000))}\n`);
    const inside = await run(["logs", "scan", log]);
    expect(inside.code).toBe(0);
    expect(inside.stdout).toContain(`explained by use ${id}`);
    await writeFile(log, `${row(at(25 * 3_600_000))}\n`);
    const after = await run(["logs", "scan", log]);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain("UNEXPLAINED");
    await run(["use", "close", id, "--done", "export-logs"]);
  });

  it("--offline records the use without the tenant, under the configured name, and says so", async () => {
    // no tenant environment at all: nothing is read
    const r = await breakglass(
      ["use", "record", EA_UPN, "--reason", "identity outage", "--offline", "--config", config()],
      {},
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/could not be read from the tenant .*recorded under its configured name/);
    const use = await recordOf(r.stdout.trim().split("\n").at(-1)!);
    expect(use.account).toEqual({ id: EA_UPN, userPrincipalName: EA_UPN });
    expect(use.keysAtStart).toEqual([]);
    // its window still explains the account's sign-ins, matched by UPN
    const [window] = windowsOf([use]);
    expect(
      windowExplaining(
        [window!],
        { id: "83aa1184-0000-0000-0000-000000000000", userPrincipalName: EA_UPN.toUpperCase() },
        Date.parse(use.startedAt) + 1000,
      )?.id,
    ).toBe(use.id);
    const closed = await breakglass(["use", "close", use.id, "--offline", "--config", config()], {});
    expect(closed.code).toBe(1);
    expect((await recordOf(use.id)).keysAtFinish).toBeUndefined();
  });

  it("closing with every step done exits 0", async () => {
    const r = await run(["use", "record", EA_UPN, "--reason", "tenant-wide MFA outage"]);
    const id = r.stdout.trim().split("\n").at(-1)!;
    const all = "export-logs,review-logs,reset-password,verify-keys,revoke-sessions,re-drill";
    const closed = await run(["use", "close", id, "--done", all, "--notes", "nothing unexpected"]);
    expect(closed.stderr).toBe("");
    expect(closed.code).toBe(0);
    expect((await recordOf(id)).steps!.every((s) => s.status === "done")).toBe(true);
  });

  it("refuses bad input with exit 2 and writes nothing", async () => {
    const before = await readdir(join(dir, "uses")).catch(() => []);
    const cases: Array<[string[], RegExp]> = [
      [["use", "record", "nobody@contoso.test", "--reason", "x"], /not a configured emergency account/],
      [["use", "record", EA_UPN], /required option '--reason/],
      [["use", "record", EA_UPN, "--reason", "  "], /--reason is empty/],
      [["use", "close", "use-20261202t1430-abcdef"], /no use has the id/],
      [["use", "close", "../../etc/passwd"], /not a record id/],
      [["use", "close", "use-20261202t1430-abcdef", "--done", "pray"], /not an after-use step/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    expect(await readdir(join(dir, "uses")).catch(() => [])).toEqual(before);
  });

  it("a drill id is not a use: use close refuses it and leaves the drill as it was", async () => {
    const drillId = "drill-20261202t1430-abcdef";
    const drill = `${JSON.stringify({
      schema: "breakglass.drill/v1",
      id: drillId,
      kind: "drill",
      account: { id: EA_UPN },
      key: "zt-a",
      startedAt: "2026-12-02T14:30:00.000Z",
      keysAtStart: [],
    })}\n`;
    await mkdir(join(dir, "drills"), { recursive: true });
    await writeFile(join(dir, "drills", `${drillId}.json`), drill);
    const r = await run(["use", "close", drillId]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no use has the id/);
    expect(await readFile(join(dir, "drills", `${drillId}.json`), "utf8")).toBe(drill);
  });

  it("a use closed after the cap explains sign-ins for 24 hours only; a drill's window is its own", () => {
    const base = { schema: "breakglass.drill/v1" as const, account: { id: "u1" }, keysAtStart: [] };
    const windows = windowsOf([
      {
        ...base,
        id: "use-1",
        kind: "use",
        startedAt: "2026-12-01T00:00:00Z",
        finishedAt: "2026-12-03T00:00:00Z",
      },
      {
        ...base,
        id: "drill-1",
        kind: "drill",
        startedAt: "2026-12-10T00:00:00Z",
        finishedAt: "2026-12-11T12:00:00Z",
      },
    ]);
    const at = (iso: string) => windowExplaining(windows, { id: "u1" }, Date.parse(iso))?.id;
    expect(at("2026-12-01T23:00:00Z")).toBe("use-1");
    expect(at("2026-12-02T01:00:00Z")).toBeUndefined();
    expect(at("2026-12-11T11:00:00Z")).toBe("drill-1");
  });

  it("without a configuration file the use has nowhere to live: exit 2", async () => {
    const r = await breakglass(
      ["use", "record", EA_UPN, "--reason", "x", "--config", join(dir, "none.yaml")],
      env(),
    );
    expect(r.code).toBe(2);
  });
});
