/**
 * End-to-end helpers: an emulator over HTTPS on 127.0.0.1 and an export through the real client
 * stack (@azure/identity, the Graph client, core-rest-pipeline), trusting the emulator's CA
 * explicitly. No credential here can reach any other host: the authority is the emulator and
 * instance discovery is off.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator/index.js";
import { createClients, type Clients, type Clock } from "../../src/graph/index.js";
import { relationshipSubjects } from "../../src/collect/subjects.js";
import { VirtualClock } from "../support/virtual-clock.js";
import { exportTenant, type ExportOptions, type ExportResult } from "../../src/collect/export.js";
import { loadSnapshot } from "../../src/snapshot/load.js";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { methodKinds, rowRulesOut, type TieKind } from "../../src/snapshot/registration.js";
import { TenantStore } from "../../emulator/graph/tenant-store.js";
import { registrationRows } from "../../emulator/graph/routes/reports.js";

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
  /** the client's time (default: a fresh virtual clock, so pacing and back-off take no real time) */
  clock?: Clock;
  onProgress?: ExportOptions["onProgress"];
}

/** The real client stack for the emulated tenant. */
export function clientsFor(emu: RunningEmulator, as: ExportAs = {}): Clients {
  const clientId = as.clientId ?? emu.env.AZURE_CLIENT_ID;
  return createClients(
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
      clock: as.clock ?? new VirtualClock(),
    },
    // An empty environment: nothing from the developer's shell (AZURE_*) may leak into a test.
    {},
  );
}

/** Export the emulated tenant through the real stack. */
export async function exportFrom(emu: RunningEmulator, as: ExportAs = {}): Promise<ExportResult> {
  const clients = clientsFor(emu, as);
  const result = await exportTenant({ clients, config: as.config, onProgress: as.onProgress });
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

type Loose = Record<string, unknown>;
const lower = (v: unknown) => String(v).toLowerCase();

/**
 * What export reads of a sample (docs/reads.md): relationships, sign-ins and audits of the users who
 * may be emergency accounts, the methods alone of the other privileged users, the Conditional Access
 * change audits; everything else of the sample as it is.
 */
export function exportableOf(sample: Snapshot, config: Partial<Config> = {}): Snapshot {
  const { full, methodsOnly } = relationshipSubjects(sample, {
    accounts: config.accounts,
    group: config.group,
  });
  const everything = new Set(full);
  const methods = new Set(methodsOnly);
  const copy = structuredClone(sample) as Snapshot & Loose;
  // Everyday admins whose registration row shows none of the kinds the accounts hold are not read:
  // their row is kept instead (docs/reads.md).
  const ruledOut = new Map<string, Loose>();
  if (methods.size) {
    const rows = new Map(registrationRows(new TenantStore(sample)).map((r) => [lower(r.id), r]));
    let kinds: Set<TieKind> | undefined = new Set<TieKind>();
    for (const u of (sample.users ?? []) as Loose[]) {
      if (!everything.has(lower(u.id))) continue;
      if (!Array.isArray(u.authenticationMethods)) kinds = undefined;
      else for (const k of methodKinds(u.authenticationMethods as Loose[])) kinds?.add(k);
    }
    for (const id of methods) {
      const row = rows.get(id);
      if (kinds && rowRulesOut(row, kinds)) ruledOut.set(id, row!);
    }
  }
  if (ruledOut.size)
    copy.registrationDetails = [...ruledOut.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, row]) => row) as never;
  for (const u of (copy.users ?? []) as Loose[]) {
    const id = lower(u.id);
    if (everything.has(id)) continue;
    delete u.perUserMfaState;
    delete u.ownedObjects;
    if (!methods.has(id) || ruledOut.has(id)) delete u.authenticationMethods;
  }
  if (copy.signIns)
    copy.signIns = (copy.signIns as Loose[]).filter((s) => everything.has(lower(s.userId))) as never;
  if (copy.directoryAudits)
    copy.directoryAudits = (copy.directoryAudits as Loose[]).filter((a) => {
      const initiator = (a.initiatedBy as { user?: { id?: unknown } } | null)?.user?.id;
      const targets = (a.targetResources as Array<{ id?: unknown }> | undefined) ?? [];
      return (
        a.loggedByService === "Conditional Access" ||
        (initiator !== undefined && everything.has(lower(initiator))) ||
        targets.some((t) => everything.has(lower(t.id)))
      );
    }) as never;
  return copy;
}
