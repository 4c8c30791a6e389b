/**
 * `breakglass export-rules`: the rules as ARM JSON (deployed resource by resource through the
 * emulator's ARM endpoint, it gives the same rules plan would write), Bicep, and the analytics-rule
 * YAML of the Azure-Sentinel repository with every field its template validation requires.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator/index.js";
import { runExportRules } from "../../src/cli/commands/export-rules.js";
import { Config } from "../../src/config/schema.js";
import { bicepString, exportedRules, exportFiles } from "../../src/deploy/monitoring/export.js";
import { createArmWriter } from "../../src/graph/index.js";
import { clientsFor, exportFrom } from "../e2e/helpers.js";
import { clone, sample } from "./support.js";

type Json = Record<string, any>;
const SUB = "c4dc243a-4136-4157-913f-7fdb443989e1";
const RG = `/subscriptions/${SUB}/resourceGroups/rg-monitoring-prod-weu-01`;
const AG = `${RG}/providers/Microsoft.Insights/actionGroups/ag-identity-critical`;
const good = sample("good");

const azure = (extra: Json = {}) => ({
  ...good.config.azure,
  subscriptionId: SUB,
  resourceGroup: "rg-monitoring-prod-weu-01",
  workspace: "log-identity-prod-weu",
  actionGroup: { id: AG },
  ...extra,
});
const configWith = (extra: Json = {}) => Config.parse({ ...good.config, azure: azure(extra) });

let emu: RunningEmulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("export-rules", () => {
  it("ARM JSON: each resource PUT through the emulator's ARM endpoint gives the rule plan writes", async () => {
    const config = configWith();
    const template = JSON.parse(
      exportFiles(exportedRules(good.snapshot, config, "arm"), "arm", "log-identity-prod-weu").get(
        "breakglass-rules.json",
      )!,
    );
    expect(template.$schema).toMatch(/deploymentTemplate\.json#$/);
    expect(template.resources).toHaveLength(6);

    const snapshot = clone(good.snapshot);
    (snapshot.azure as Json).scheduledQueryRules = [];
    emu = await startEmulator({ snapshot, deployer: true, throttle: false });
    const writer = createArmWriter(clientsFor(emu), { caPem: emu.caPem, sleep: async () => undefined });
    for (const r of template.resources as Json[]) {
      const { type, apiVersion, name, ...body } = r;
      const result = await writer.execute({
        request: { method: "PUT", url: `${RG}/providers/${type}/${name}?api-version=${apiVersion}`, body },
      });
      expect(result).toMatchObject({ ok: true, status: 201 });
    }
    const read = (await exportFrom(emu)).snapshot.azure!.scheduledQueryRules as Json[];
    for (const r of template.resources as Json[]) {
      const rule = read.find((x) => x.name === r.name)!;
      expect(rule.properties).toEqual(r.properties);
      expect(rule).toMatchObject({ kind: "LogAlert", location: r.location });
    }
  });

  it("Sentinel YAML: every field the Azure-Sentinel template validation requires of a Scheduled rule", () => {
    const files = exportFiles(
      exportedRules(good.snapshot, configWith(), "sentinel-yaml"),
      "sentinel-yaml",
      "ws",
    );
    expect(files.size).toBe(6);
    for (const [name, text] of files) {
      expect(name).toMatch(/^breakglass-[a-z]+\.yaml$/);
      const doc = parse(text) as Json;
      for (const field of [
        "id",
        "name",
        "description",
        "severity",
        "requiredDataConnectors",
        "queryFrequency",
        "queryPeriod",
        "triggerOperator",
        "triggerThreshold",
        "tactics",
        "query",
        "version",
        "kind",
      ])
        expect(doc, `${name}: ${field}`).toHaveProperty(field);
      expect(doc.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(doc).toMatchObject({
        kind: "Scheduled",
        severity: "High",
        queryFrequency: "5m",
        queryPeriod: "1h",
        triggerOperator: "gt",
        triggerThreshold: 0,
      });
      expect(doc.requiredDataConnectors[0].connectorId).toBe("AzureActiveDirectory");
      expect(doc.query).toMatch(/ingestion_time\(\) > ago\(5m\)/);
      expect(String(doc.name).length).toBeLessThanOrEqual(256);
    }
  });

  it("Bicep: one resource per rule, strings escaped so no value ends its literal", () => {
    const text = exportFiles(exportedRules(good.snapshot, configWith(), "bicep"), "bicep", "ws").get(
      "breakglass-rules.bicep",
    )!;
    expect(
      text.match(/^resource rule\d+ 'Microsoft\.Insights\/scheduledQueryRules@2023-12-01' = \{$/gm),
    ).toHaveLength(6);
    expect(text).toContain("autoMitigate: false");
    expect(bicepString("it's ${x}\\\n")).toBe("'it\\'s \\${x}\\\\\\n'");
    const sentinel = exportFiles(
      exportedRules(good.snapshot, configWith({ alertsIn: "sentinel" }), "bicep"),
      "bicep",
      "ws",
    ).get("breakglass-rules.bicep")!;
    expect(sentinel).toContain(
      "resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing",
    );
    expect(sentinel).toMatch(/scope: workspace\n/);
  });

  it("the command writes the files from a snapshot and a config; accounts that do not exist yet are an input error", async () => {
    dir = await mkdtemp(join(tmpdir(), "bg-export-rules-"));
    await writeFile(
      join(dir, "breakglass.yaml"),
      stringify({
        ...parse(
          await readFile(new URL("../../fixtures/tenants/good.breakglass.yaml", import.meta.url), "utf8"),
        ),
        azure: azure(),
      }),
    );
    await writeFile(join(dir, "snapshot.json"), JSON.stringify(good.snapshot));
    const out: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: () => undefined, cwd: dir };
    expect(
      await runExportRules({ format: "sentinel-yaml", outDir: "rules", snapshot: "snapshot.json" }, io),
    ).toBe(0);
    expect((await readdir(join(dir, "rules"))).sort()).toHaveLength(6);
    expect(out.join("")).toMatch(/rules\/breakglass-signin\.yaml/);

    const missing = clone(good.snapshot);
    missing.users = missing.users!.filter((u) => !u.userPrincipalName?.startsWith("zt4p9w@"));
    expect(() => exportedRules(missing, configWith(), "arm")).toThrow(/do not exist yet/);
  });
});
