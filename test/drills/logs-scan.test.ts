import { join } from "node:path";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { ACCESS_RECORD_SCHEMA, openRecord } from "../../src/records/access.js";
import { FileRecordStore } from "../../src/records/store.js";
import { describe, expect, it } from "vitest";
import { detectFormat, scanLogs, type ScannedSignIn } from "../../src/drills/logs-scan.js";
import { runLogsScan } from "../../src/cli/commands/logs.js";
import type { AccessWindow } from "../../src/records/windows.js";

const DIR = join(import.meta.dirname, "fixtures");
const EA = "83aa1184-132f-401e-91ba-ace0a55b661a";
const UPN = "zt4p9w@contosomedical.onmicrosoft.com";
const EA2 = "mq8r3x@contosomedical.onmicrosoft.com";
const ACCOUNTS = [UPN, EA2];

async function scan(file: string, windows: AccessWindow[] = [], extra: { from?: number; to?: number } = {}) {
  const found: ScannedSignIn[] = [];
  const summary = await scanLogs([join(DIR, file)], { accounts: ACCOUNTS, windows, ...extra }, (s) =>
    found.push(s),
  );
  return { found, summary };
}

describe("logs scan", () => {
  it("detects each format from the content", () => {
    expect(detectFormat(Buffer.from('\ufeff{"@odata.context":"x","value":[]}'))).toBe("graph-json");
    expect(detectFormat(Buffer.from('  {"value": []}'))).toBe("graph-json");
    expect(detectFormat(Buffer.from('{"TimeGenerated":"2026"}\n'))).toBe("jsonl");
    expect(detectFormat(Buffer.from("[{}]"))).toBe("json-array");
    expect(detectFormat(Buffer.from('"Date (UTC)","User"\r\n'))).toBe("csv");
  });

  it("Graph JSON, two pages in one file: the accounts' sign-ins with result, method, policies; others left out", async () => {
    const { found, summary } = await scan("graph-pages.json");
    expect(found.map((s) => [s.record, s.time, s.result, s.errorCode, s.methods])).toEqual([
      [1, "2026-11-01T09:00:00.000Z", "success", "0", ["FIDO2 security key"]],
      [3, "2026-11-03T12:00:00.000Z", "failure", "50126", []],
    ]);
    expect(found[0]).toMatchObject({
      format: "graph-json",
      userId: EA,
      ip: "198.51.100.7",
      location: "Utrecht, Utrecht, NL",
      app: "Azure Portal",
      policies: [{ name: "CA000 - Emergency", result: "success" }],
      explainedBy: null,
    });
    expect(summary).toMatchObject({ signIns: 2, unexplainedSuccesses: 1, unexplainedFailures: 1, notes: [] });
    expect(summary.files[0]).toMatchObject({ format: "graph-json", records: 3 });
  });

  it("a window of the account explains its sign-in; another account's window does not", async () => {
    const windows: AccessWindow[] = [
      {
        kind: "drill",
        id: "d-1",
        account: EA.toUpperCase(),
        start: "2026-11-01T08:55:00Z",
        end: "2026-11-01T09:30:00Z",
      },
      { kind: "use", id: "u-1", account: EA2, start: "2026-11-03T00:00:00Z" },
    ];
    const { found, summary } = await scan("graph-pages.json", windows);
    expect(found.map((s) => s.explainedBy)).toEqual([{ kind: "drill", id: "d-1" }, null]);
    expect(summary.unexplainedSuccesses).toBe(0);
  });

  it("the portal's JSON array; --from/--to bound the time", async () => {
    const { found } = await scan("portal.json");
    expect(found.map((s) => [s.format, s.userPrincipalName])).toEqual([["json-array", UPN.toUpperCase()]]);
    const none = await scan("portal.json", [], { from: Date.parse("2026-11-02T08:00:01Z") });
    expect(none.found).toEqual([]);
  });

  it("gzipped Log Analytics JSONL: both tables, a JSON-string column, a torn last line noted", async () => {
    const { found, summary } = await scan("la.jsonl.gz");
    expect(found.map((s) => [s.record, s.result, s.interactive, s.methods, s.location])).toEqual([
      [2, "success", true, ["FIDO2 security key"], "Lyon, Rhone, FR"],
      [3, "failure", false, ["FIDO2 security key"], "Lyon, Rhone, FR"],
    ]);
    expect(summary.notes).toEqual([
      { file: join(DIR, "la.jsonl.gz"), record: 4, message: "the last line is torn (not JSON); left out" },
    ]);
    expect(summary.files[0]).toMatchObject({ format: "jsonl", records: 4 });
  });

  it("the portal's CSV: BOM, CRLF, quoted commas and quotes, a torn last record noted", async () => {
    const { found, summary } = await scan("portal.csv");
    expect(
      found.map((s) => [s.record, s.time, s.userPrincipalName, s.result, s.location, s.conditionalAccess]),
    ).toEqual([
      [2, "2026-11-05T07:30:00.000Z", UPN, "success", "Paris, Ile-de-France, FR", "Success"],
      [4, "2026-11-05T07:40:00.000Z", EA2, "failure", "Nantes, Pays, FR", "Not Applied"],
    ]);
    expect(found[1]!.failureReason).toBe('Invalid username or password, "or" something');
    expect(found[0]!.methods).toEqual(["FIDO2 security key"]);
    expect(summary.notes).toHaveLength(1);
    expect(summary.notes[0]!.message).toMatch(/broken record/);
  });

  it("JSONL bigger than a read chunk: lines straddling chunks are found, line numbers hold", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bg-scan-"));
    const file = join(dir, "big.jsonl");
    const lines: string[] = [];
    const expected: number[] = [];
    for (let i = 0; i < 12_000; i++) {
      const ea = i % 997 === 3;
      if (ea) expected.push(i + 1);
      lines.push(
        JSON.stringify({
          TimeGenerated: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
          UserId: ea ? EA : `user-${i}`,
          UserPrincipalName: ea && i % 2 ? UPN.toUpperCase() : `u${i}@x.example`,
          ResultType: "0",
          Pad: "x".repeat(700 + (i % 300)),
        }),
      );
    }
    await writeFile(file, `${lines.join("\n")}\n`);
    const found: ScannedSignIn[] = [];
    const summary = await scanLogs(
      [file],
      { accounts: [UPN.toLowerCase(), EA.toUpperCase()], windows: [] },
      (s) => found.push(s),
    );
    expect(found.map((s) => s.record)).toEqual(expected);
    expect(summary.files[0]!.records).toBe(12_000);
    // object ids only: the byte search, same lines
    const byId: number[] = [];
    const idSummary = await scanLogs([file], { accounts: [EA.toUpperCase()], windows: [] }, (s) =>
      byId.push(s.record),
    );
    expect(byId).toEqual(expected);
    expect(idSummary.files[0]!.records).toBe(12_000);
  });

  it("the command: exit 1 on an unexplained success, hostile strings escaped, a drill window explaining it, json output", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bg-scan-"));
    const config = join(dir, "breakglass.yaml");
    await writeFile(config, `accounts:\n  - ${UPN}\n  - ${EA2}\n`);
    const hostile = join(dir, "hostile.jsonl");
    await writeFile(
      hostile,
      `${JSON.stringify({ TimeGenerated: "2026-11-04T10:00:00Z", UserId: EA, UserPrincipalName: UPN, ResultType: "0", IPAddress: "1.2.3.4\u001b[2J\nPASS all clear", AppDisplayName: "\u202eevil" })}\n`,
    );
    let out = "";
    const io = { out: (s: string) => (out += s), now: Date.parse("2026-11-10T00:00:00Z") };
    expect(await runLogsScan([hostile], { config, format: "console" }, io)).toBe(1);
    expect(out).not.toContain("\u001b");
    expect(out).not.toContain("\u202e");
    expect(out).not.toMatch(/^PASS/m);
    expect(out).toContain("\\u{1b}[2J\\nPASS all clear");
    expect(out).toContain("UNEXPLAINED");
    expect(out).not.toContain("No configuration file");

    // a drill record beside the configuration explains the same sign-in
    await openRecord(new FileRecordStore(dir), {
      schema: ACCESS_RECORD_SCHEMA,
      id: "drill-20261104t0955-abcdef",
      kind: "drill",
      account: { id: EA, userPrincipalName: UPN },
      startedAt: "2026-11-04T09:55:00Z",
      finishedAt: "2026-11-04T10:10:00Z",
      keysAtStart: [],
    });
    out = "";
    expect(await runLogsScan([hostile], { config, format: "console" }, io)).toBe(0);
    expect(out).toContain("explained by drill drill-20261104t0955-abcdef");

    out = "";
    expect(await runLogsScan([join(DIR, "portal.json")], { config, format: "json", from: "30d" }, io)).toBe(
      1,
    );
    const doc = JSON.parse(out);
    expect(doc).toMatchObject({
      schema: "breakglass.logs-scan/v1",
      windowsRead: true,
      summary: { signIns: 1 },
    });

    out = "";
    expect(await runLogsScan([join(DIR, "portal.json")], { config, format: "console", from: "1h" }, io)).toBe(
      0,
    );
    await expect(runLogsScan([join(dir, "missing.json")], { config, format: "console" }, io)).rejects.toThrow(
      /missing\.json/,
    );
    await writeFile(config, "group: ab45a805-0899-4c20-823e-676c53a97511\n");
    await expect(runLogsScan([hostile], { config, format: "console" }, io)).rejects.toThrow(
      /names no accounts/,
    );
  });
});
