/**
 * Tenant strings in every text output are shown on one line, every control and bidi character
 * escaped, so a policy or tenant name cannot forge a verdict line (`PROVEN ...`); JSON outputs are
 * I-JSON (no lone surrogate), with C1, bidi and U+2028/2029 escaped.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { exportSummary } from "../../src/cli/commands/export.js";
import { demoSummary } from "../../src/cli/commands/demo.js";
import type { ExportResult } from "../../src/collect/export.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures/tenants");
const ACCOUNT = "cld-w5t1@fabrikamind.onmicrosoft.com";
/** A policy name that, printed raw, would end the refutation and print a proof. */
const FORGED = `Quiet policy\r\nPROVEN  ${ACCOUNT}: 0/6 classes fail\u2028PROVEN\u0085PROVEN \u202eNEVORP`;
const LONE = "lone \ud800 surrogate";
let dir: string;

async function breakglass(args: string[]): Promise<{ code: number; stdout: string }> {
  const out: string[] = [];
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    return { code: await main(["node", "breakglass", ...args]), stdout: out.join("") };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = undefined;
  }
}

/** Every line break a terminal or an editor honours. */
// eslint-disable-next-line no-control-regex
const LINE_BREAKS = /\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bg-hostile-"));
  const text = await readFile(join(FIXTURES, "midsize.json"), "utf8");
  const renamed = text
    .replaceAll('"CA000-Core-AllApps-HardwareKey"', JSON.stringify(FORGED))
    .replace('"Fabrikam Industries"', JSON.stringify(`Fabrikam ${LONE}`));
  await writeFile(join(dir, "midsize.json"), renamed);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const prove = (format: string) =>
  breakglass([
    "ca",
    "prove",
    "--snapshot",
    join(dir, "midsize.json"),
    "--config",
    join(FIXTURES, "midsize.breakglass.yaml"),
    "--format",
    format,
  ]);

describe("ca prove", () => {
  it("text: a policy name cannot forge a PROVEN line", async () => {
    const r = await prove("text");
    expect(r.code).toBe(1);
    const lines = r.stdout.split(LINE_BREAKS);
    expect(lines.filter((l) => l.startsWith(`PROVEN  ${ACCOUNT}`))).toEqual([]);
    expect(lines.some((l) => l.startsWith(`REFUTED  ${ACCOUNT}`))).toBe(true);
    expect(r.stdout).toContain("Quiet policy\\r\\nPROVEN");
    expect(r.stdout).not.toMatch(BIDI);
  });

  it("json: I-JSON, with line separators, C1 and bidi escaped", async () => {
    const r = await prove("json");
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/[\u0085\u2028\u2029]/);
    expect(r.stdout).not.toMatch(BIDI);
    const parsed = JSON.parse(r.stdout);
    const texts = JSON.stringify(parsed);
    expect(texts).toContain("PROVEN"); // the name is there, as data
    expect(r.stdout).not.toMatch(/\\ud[89ab][0-9a-f]{2}/i);
  });
});

describe("summaries", () => {
  const result = {
    snapshot: {
      schema: "breakglass.snapshot/v1",
      tenant: {
        id: "t",
        displayName: `Contoso\nPASS: every check met ${LONE}`,
        capturedAt: "2026-11-01T00:00:00Z",
      },
      users: [],
      unavailable: { "azure.subscriptions": `403\r\nexported 9999 users` },
    },
    subjects: [],
    requests: {
      requests: 1,
      batchedRequests: 0,
      depthAfterToken: 1,
      throttled: 0,
      retryWaitMs: 0,
      graphRequests: 1,
      armRequests: 0,
      identityRequests: 1,
      elapsedMs: 1,
    },
    writePermissions: [],
  } as unknown as ExportResult;

  it("export and demo: a tenant name or a service message stays on its own line", () => {
    for (const text of [exportSummary(result), demoSummary(result)]) {
      const lines = text.split(LINE_BREAKS);
      expect(lines.filter((l) => l.startsWith("PASS") || l.startsWith("exported 9999"))).toEqual([]);
      expect(text).not.toMatch(/[\ud800-\udfff]/);
    }
  });
});
