/**
 * The sample tenant that follows every recommendation (fixtures/tenants/good.json) and the few
 * objects of it the mutations touch, by id: the two emergency accounts, the emergency group, its
 * administrative unit, the dedicated policy, its strength, the sign-in alert and the action group;
 * and its records (custody registry and drills), which the EA-OPS mutations edit.
 */
import { join } from "node:path";
import { loadConfig } from "../../../src/config/load.js";
import type { Config } from "../../../src/config/schema.js";
import { type CheckRecords, loadCheckRecords } from "../../../src/records/check-records.js";
import { FileRecordStore } from "../../../src/records/store.js";
import { loadSnapshot } from "../../../src/snapshot/load.js";
import type { Snapshot } from "../../../src/snapshot/schema.js";

const FIXTURES = join(import.meta.dirname, "../../../fixtures/tenants");

/** The good sample with its records (custody.yaml, drills/ beside fixtures/tenants/good/breakglass.yaml). */
export async function loadGood(): Promise<{ snapshot: Snapshot; config: Config; records: CheckRecords }> {
  const snapshot = await loadSnapshot(join(FIXTURES, "good.json"));
  const { config } = await loadConfig(join(FIXTURES, "good", "breakglass.yaml"));
  const records = await loadCheckRecords(new FileRecordStore(join(FIXTURES, "good")));
  return { snapshot, config, records };
}

/** Plain Graph / ARM JSON: the mutations edit the documents as Microsoft returns them. */
export type Json = Record<string, any>;

export const ZT4P9W = "83aa1184-132f-401e-91ba-ace0a55b661a";
export const MQ8R3X = "71b91a45-f4df-49fc-85a0-d42f9db61b6e";
export const GROUP = "ab45a805-0899-4c20-823e-676c53a97511";
export const GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10";
export const HELPDESK_ADMINISTRATOR = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
export const DEDICATED_POLICY = "52349fe7-e34a-4ec7-8ccc-644e04fc8052";
export const DEDICATED_STRENGTH = "97dd0103-0072-4788-8b27-c3bfb304ecd1";
export const PHISHING_RESISTANT_STRENGTH = "00000000-0000-0000-0000-000000000004";
/** YubiKey Bio Series: a hardware key model neither account holds. */
export const UNHELD_AAGUID = "d8522d9f-575b-4866-88a9-ba99fa02f35b";
export const AUTHENTICATOR_IOS_AAGUID = "90a3ccdf-635c-4729-a248-9b709135078f";
export const E5_SKU = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";

const json = (s: Snapshot): Json => s as unknown as Json;

export const user = (s: Snapshot, id: string): Json => {
  const u = json(s).users.find((x: Json) => x.id === id);
  if (!u) throw new Error(`no user ${id}`);
  return u;
};
export const userByUpn = (s: Snapshot, prefix: string): Json => {
  const u = json(s).users.find((x: Json) => String(x.userPrincipalName).startsWith(prefix));
  if (!u) throw new Error(`no user ${prefix}`);
  return u;
};
export const group = (s: Snapshot, id = GROUP): Json => {
  const g = json(s).groups.find((x: Json) => x.id === id);
  if (!g) throw new Error(`no group ${id}`);
  return g;
};
/** A group of the tenant other than the emergency group. */
export const otherGroup = (s: Snapshot): Json => json(s).groups.find((x: Json) => x.id !== GROUP);
export const adminUnit = (s: Snapshot): Json => json(s).administrativeUnits[0];
export const policy = (s: Snapshot, prefix: string): Json => {
  const p = json(s).conditionalAccessPolicies.find((x: Json) => String(x.displayName).startsWith(prefix));
  if (!p) throw new Error(`no policy ${prefix}`);
  return p;
};
export const dedicatedPolicy = (s: Snapshot): Json => policy(s, "CA000");
export const strength = (s: Snapshot, id = DEDICATED_STRENGTH): Json =>
  json(s).authenticationStrengthPolicies.find((x: Json) => x.id === id);
export const methodConfig = (s: Snapshot, id: string): Json =>
  json(s).authenticationMethodsPolicy.authenticationMethodConfigurations.find((x: Json) => x.id === id);
export const azure = (s: Snapshot): Json => json(s).azure;
export const signInRule = (s: Snapshot): Json =>
  azure(s).scheduledQueryRules.find((r: Json) => r.name === "sqr-core-access-signin");
export const signInQuery = (s: Snapshot): Json => signInRule(s).properties.criteria.allOf[0];
export const diagnosticLog = (s: Snapshot, category: string): Json =>
  azure(s).diagnosticSettings[0].properties.logs.find((l: Json) => l.category === category);
export const table = (s: Snapshot, name: string): Json => azure(s).tables.find((t: Json) => t.name === name);
/** The Global Administrator assignment of the emergency group, and its schedule. */
export const gaAssignment = (s: Snapshot): { assignment: Json; schedule: Json } => {
  const assignment = json(s).roleAssignments.find(
    (a: Json) => a.principalId === GROUP && a.roleDefinitionId === GLOBAL_ADMINISTRATOR,
  );
  const schedule = json(s).roleAssignmentSchedules.find((a: Json) => a.id === assignment.id);
  return { assignment, schedule };
};
export const sections = (s: Snapshot): Json => json(s);
