/**
 * `logs scan` on a generated Log Analytics JSONL export (default 1 GB, written at run time to a
 * temp directory and removed after, never committed): peak RSS and wall time of the built CLI
 * against `grep -c` on the same file (bench/logs-scan/README.md).
 *
 *   npm run build && npx tsx bench/logs-scan/run.ts [--size-mb 1024] [--runs 3] [--upn] [--write]
 *
 * `--write` records the run as bench/results/logs-scan-<date>.json.
 */
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomically } from "../../src/io/atomic-write.js";

const ROOT = join(import.meta.dirname, "../..");
const CLI = join(ROOT, "dist/bin/breakglass.js");
const EA_ID = "83aa1184-132f-401e-91ba-ace0a55b661a";
const EA_UPN = "zt4p9w@contosomedical.onmicrosoft.com";
/** one emergency-account sign-in in this many rows: the rest is the tenant's ordinary traffic */
const EA_EVERY = 5000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A row shaped like a SigninLogs export row (about 1.3 KB, as real ones with policies are). */
function row(i: number, ea: boolean): string {
  const user = ea
    ? EA_ID
    : `${(i % 9000).toString(16).padStart(8, "0")}-1111-4222-8333-${(i % 977).toString().padStart(12, "0")}`;
  const upn = ea ? EA_UPN : `user${i % 9000}@fabrikam.example`;
  const t = new Date(Date.UTC(2026, 9, 1) + i * 1000).toISOString();
  return JSON.stringify({
    TenantId: "c816b6b6-d426-4958-9ba8-4bed09582a40",
    TimeGenerated: t,
    Type: i % 3 ? "AADNonInteractiveUserSignInLogs" : "SigninLogs",
    OperationName: "Sign-in activity",
    Category: i % 3 ? "NonInteractiveUserSignInLogs" : "SignInLogs",
    ResultType: i % 17 ? "0" : "50126",
    ResultDescription:
      i % 17 ? "" : "Invalid username or password or Invalid on-premise username or password.",
    CorrelationId: `c0ffee00-0000-4000-8000-${i.toString().padStart(12, "0")}`,
    UserId: user,
    UserPrincipalName: upn,
    UserDisplayName: ea ? "ZT4P9W" : `User ${i % 9000}`,
    AppDisplayName: i % 5 ? "Microsoft Teams" : "Azure Portal",
    AppId: "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
    IPAddress: `203.0.${i % 250}.${i % 200}`,
    UserAgent:
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    ClientAppUsed: "Browser",
    LocationDetails: {
      city: "Utrecht",
      state: "Utrecht",
      countryOrRegion: "NL",
      geoCoordinates: { latitude: 52.09, longitude: 5.12 },
    },
    DeviceDetail: {
      deviceId: "",
      operatingSystem: "Windows10",
      browser: "Chrome 130.0.0",
      isCompliant: false,
      isManaged: false,
    },
    ConditionalAccessStatus: "success",
    ConditionalAccessPolicies: [
      {
        id: "7a63372e-a034-4622-a184-00d1108a56d9",
        displayName: "CA001 - All users - Require MFA",
        enforcedGrantControls: ["Mfa"],
        result: "success",
      },
      {
        id: "1ca84e07-9440-494c-acc0-9d47b7e5ba4f",
        displayName: "CA003 - Block legacy authentication",
        enforcedGrantControls: ["Block"],
        result: "notApplied",
      },
    ],
    AuthenticationDetails: JSON.stringify([
      {
        authenticationStepDateTime: t,
        authenticationMethod: ea ? "FIDO2 security key" : "Password",
        succeeded: true,
      },
    ]),
    AuthenticationRequirement: "multiFactorAuthentication",
    IsInteractive: i % 3 === 0,
  });
}

async function generate(file: string, bytes: number): Promise<{ rows: number; eaRows: number }> {
  const out = createWriteStream(file, { highWaterMark: 1 << 22 });
  let written = 0;
  let rows = 0;
  let eaRows = 0;
  let batch: string[] = [];
  while (written < bytes) {
    const ea = rows % EA_EVERY === EA_EVERY - 1;
    if (ea) eaRows++;
    const line = `${row(rows, ea)}\n`;
    batch.push(line);
    written += line.length;
    rows++;
    if (batch.length === 2000) {
      if (!out.write(batch.join(""))) await once(out, "drain");
      batch = [];
    }
  }
  out.end(batch.join(""));
  await once(out, "finish");
  return { rows, eaRows };
}

/** Wall time and peak RSS (KB, from GNU time) of one command. */
async function measure(
  cmd: string,
  args: string[],
): Promise<{ ms: number; maxRssKb: number; stdout: string; code: number }> {
  const started = process.hrtime.bigint();
  const child = spawn("/usr/bin/time", ["-f", "%M", cmd, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, "close")) as [number];
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const maxRssKb = Number(stderr.trim().split("\n").pop());
  return { ms, maxRssKb, stdout, code };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const sizeMb = arg("size-mb", 1024);
  const runs = arg("runs", 3);
  if (spawnSync(process.execPath, [CLI, "--version"]).status !== 0)
    throw new Error(`${CLI} is missing: run npm run build first`);
  const dir = await mkdtemp(join(tmpdir(), "bg-logs-bench-"));
  try {
    const file = join(dir, "signins.jsonl");
    const config = join(dir, "breakglass.yaml");
    // object ids, as Microsoft advises (a UPN can be renamed): the byte search; `--upn` adds the UPN,
    // which makes the scan decode every chunk to match it case-insensitively
    await writeFileAtomically(
      config,
      `accounts:\n  - ${EA_ID}\n${process.argv.includes("--upn") ? `  - ${EA_UPN}\n` : ""}`,
    );
    const g0 = Date.now();
    const { rows, eaRows } = await generate(file, sizeMb * 1024 * 1024);
    const generateMs = Date.now() - g0;
    const size = (await stat(file)).size;
    const grepArgs = process.argv.includes("--upn")
      ? ["-c", "-i", "-F", "-e", EA_ID, "-e", EA_UPN, file]
      : ["-c", "-i", "-F", "-e", EA_ID, file];
    // warm the page cache once, so both sides read from memory
    await measure("grep", grepArgs);
    const grep: number[] = [];
    const scan: number[] = [];
    const rss: number[] = [];
    let found = 0;
    for (let r = 0; r < runs; r++) {
      const g = await measure("grep", grepArgs);
      grep.push(g.ms);
      const s = await measure(process.execPath, [
        CLI,
        "logs",
        "scan",
        file,
        "--config",
        config,
        "--format",
        "json",
      ]);
      if (s.code !== 1 && s.code !== 0) throw new Error(`logs scan exited ${s.code}`);
      scan.push(s.ms);
      rss.push(s.maxRssKb);
      found = (JSON.parse(s.stdout) as { summary: { signIns: number } }).summary.signIns;
      if (Number(g.stdout.trim()) !== eaRows || found !== eaRows)
        throw new Error(`grep counted ${g.stdout.trim()}, scan found ${found}, generated ${eaRows}`);
    }
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      loadavgAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
      file: { bytes: size, rows, emergencyRows: eaRows, generateMs },
      runs,
      accounts: process.argv.includes("--upn") ? "object id and UPN" : "object id",
      grepCountMs: { median: Math.round(median(grep)), all: grep.map(Math.round) },
      logsScanMs: { median: Math.round(median(scan)), all: scan.map(Math.round) },
      ratio: Math.round((median(scan) / median(grep)) * 100) / 100,
      logsScanPeakRssMb: {
        max: Math.round(Math.max(...rss) / 1024),
        all: rss.map((k) => Math.round(k / 1024)),
      },
      targets: { peakRssMb: 200, ratio: 3 },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (process.argv.includes("--write"))
      await writeFileAtomically(
        join(ROOT, `bench/results/logs-scan-${result.date.slice(0, 10)}.json`),
        `${JSON.stringify(result, null, 2)}\n`,
      );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
