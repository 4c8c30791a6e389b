/**
 * End-to-end helpers: an emulator over HTTPS on 127.0.0.1 and an export through the real client
 * stack (@azure/identity, the Graph client, core-rest-pipeline), trusting the emulator's CA
 * explicitly. No credential here can reach any other host: the authority is the emulator and
 * instance discovery is off.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator/index.js";
import { createClients } from "../../src/graph/index.js";
import { exportTenant, type ExportResult } from "../../src/collect/export.js";
import { loadSnapshot } from "../../src/snapshot/load.js";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import type { Snapshot } from "../../src/snapshot/schema.js";

export const FIXTURES = join(import.meta.dirname, "../../fixtures/tenants");

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.replace(/\.json$/, ""))
    .sort();
}

export async function loadFixture(name: string): Promise<Snapshot> {
  return loadSnapshot(join(FIXTURES, `${name}.json`));
}

/** The sample's config (`<name>.breakglass.yaml`): its emergency accounts decide the subjects. */
export async function fixtureConfig(name: string): Promise<Config> {
  return (await loadConfig(join(FIXTURES, `${name}.breakglass.yaml`))).config;
}

export async function emulate(
  snapshot: Snapshot,
  options: Partial<EmulatorOptions> = {},
): Promise<RunningEmulator> {
  return startEmulator({ throttle: false, ...options, snapshot });
}

export interface ExportAs {
  clientId?: string;
  secret?: string;
  certificatePem?: string;
  maxRetries?: number;
  retryDelaySeconds?: number;
  config?: Partial<Config>;
}

/** Export the emulated tenant through the real stack. */
export async function exportFrom(emu: RunningEmulator, as: ExportAs = {}): Promise<ExportResult> {
  const clientId = as.clientId ?? emu.env.AZURE_CLIENT_ID;
  const clients = createClients(
    {
      auth: {
        method: as.certificatePem ? "certificate" : "secret",
        tenantId: emu.tenantId,
        clientId,
        clientSecret: as.certificatePem ? undefined : (as.secret ?? emu.env.AZURE_CLIENT_SECRET),
        certificatePem: as.certificatePem,
        authorityHost: emu.authorityHost,
      },
      caPem: emu.caPem,
      graphUrl: emu.graphUrl,
      armUrl: emu.armUrl,
      maxRetries: as.maxRetries ?? 6,
      retryDelaySeconds: as.retryDelaySeconds ?? 1,
    },
    // An empty environment: nothing from the developer's shell (AZURE_*) may leak into a test.
    {},
  );
  const result = await exportTenant({ clients, config: as.config });
  if (process.env.BG_TRACE) {
    const t0 = clients.tracker.records[0]?.startedAt ?? 0;
    for (const rec of clients.tracker.records)
      console.log(
        rec.depth,
        rec.startedAt - t0,
        rec.endedAt! - t0,
        rec.kind,
        rec.url.slice(rec.url.indexOf("/", 10), rec.url.indexOf("/", 10) + 90),
      );
  }
  return result;
}

/** `$.users[abc].authenticationMethods[x].id` -> `users[abc].authenticationMethods`. */
export function snapshotPathOf(diffPath: string): string {
  // The tenant's name is read from the organization object.
  if (/^\$\.tenant\b/.test(diffPath)) return "organization";
  const parts = diffPath.replace(/^\$\.?/, "").match(/[^.[\]]+|\[[^\]]*\]/g) ?? [];
  const out: string[] = [];
  for (const part of parts) {
    if (out.length === 0) {
      out.push(part);
      continue;
    }
    if (out[0] === "azure" && out.length === 1) {
      out.push(`.${part}`);
      break;
    }
    if (part.startsWith("[")) {
      if (out.length === 1) out.push(part);
      else break;
      continue;
    }
    out.push(`.${part}`);
    break;
  }
  return out.join("");
}
