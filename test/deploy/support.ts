import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { Config } from "../../src/config/schema.js";
import { parseSnapshot } from "../../src/snapshot/load.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { derivePlan } from "../../src/deploy/plan.js";
import { predict } from "../../src/deploy/predict.js";
import type { Step } from "../../src/deploy/types.js";

const root = new URL("../../fixtures/tenants/", import.meta.url);

export function sample(name: string): { snapshot: Snapshot; config: Config } {
  const snapshot = parseSnapshot(JSON.parse(readFileSync(new URL(`${name}.json`, root), "utf8"))) as Snapshot;
  const config = Config.parse(parse(readFileSync(new URL(`${name}.breakglass.yaml`, root), "utf8")));
  return { snapshot, config };
}

export const clone = <T>(x: T): T => structuredClone(x);

export const ids = (steps: readonly Step[]): string[] => steps.map((s) => s.id);

/** Every step that is not waiting, predicted in order: the tenant after an apply. */
export function applyInMemory(snapshot: Snapshot, steps: readonly Step[]): Snapshot {
  return steps.filter((s) => s.waiting === undefined).reduce((s, step) => predict(s, step), snapshot);
}

export const plan = (snapshot: Snapshot, config: Config) => derivePlan(snapshot, config).steps;

/** Two attested YubiKeys on each account `isEmergency` picks, as enroll registers them. */
export function enrollTwoKeys(s: Snapshot, isEmergency: (upn: string) => boolean): Snapshot {
  const out = clone(s);
  for (const u of out.users as Array<Record<string, any>>) {
    if (!isEmergency(u.userPrincipalName)) continue;
    for (const [i, aaGuid] of [
      "2fc0579f-8113-47ea-b116-bb5a8db9202a",
      "fa2b99dc-9e39-4257-8f92-4a30d23c4118",
    ].entries())
      u.authenticationMethods.push({
        "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
        id: `key-${u.mailNickname}-${i}`,
        displayName: `Key ${i}`,
        aaGuid,
        model: "YubiKey 5",
        attestationLevel: "attested",
        createdDateTime: "2026-11-01T10:05:00Z",
      });
  }
  return out;
}
