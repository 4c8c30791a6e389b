/**
 * The lockout gate proves the tenant predict.ts says a step leaves; that proof is worth something
 * only if the prediction is what the tenant really becomes. On every step of the before.json
 * walkthrough (with the restricted administrative unit, so every kind has a step), the step is sent
 * through the real writer to the emulator (whose write code shares nothing with the prediction),
 * the tenant is read back with export, and the prediction from the state before the step must
 * equal it on every property the CA engine and the checks read.
 */
import { afterEach, describe, expect, it } from "vitest";
import { derivePlan } from "../../src/deploy/plan.js";
import { predict } from "../../src/deploy/predict.js";
import { generatePassword } from "../../src/deploy/apply/secrets.js";
import { isChange, resolveRefs, SECRET_TOKEN, type Step } from "../../src/deploy/types.js";
import { createGraphWriter } from "../../src/graph/index.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { clientsFor } from "../e2e/helpers.js";
import { startApplyHarness, type ApplyHarness } from "./apply-support.js";

type Json = Record<string, unknown>;

/**
 * Properties neither the CA engine nor any check reads, which the service sets on its own: times
 * of creation and change, Graph's bookkeeping, and `resourceScope` (a role assignment's scope is
 * read from `directoryScopeId`).
 */
const NOT_READ = /DateTime$|@odata\.(context|etag|nextLink)$|^securityIdentifier$|^resourceScope$/;

function normalise(value: unknown): unknown {
  if (Array.isArray(value))
    return value.map(normalise).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value as Json)
        // null, an empty list and an absent property all read as "not set"
        .filter(
          ([k, v]) =>
            !NOT_READ.test(k) && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0),
        )
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, normalise(v)]),
    );
  return value;
}

const SECTIONS = [
  "users",
  "groups",
  "conditionalAccessPolicies",
  "authenticationStrengthPolicies",
  "authenticationMethodsPolicy",
  "roleAssignments",
  "roleAssignmentSchedules",
  "roleEligibilitySchedules",
  "administrativeUnits",
] as const;

/** The differences between prediction and reading, one line per object property. */
function differences(predicted: Snapshot, actual: Snapshot): string[] {
  const out: string[] = [];
  for (const section of SECTIONS) {
    const p = normalise((predicted as Json)[section]);
    const a = normalise((actual as Json)[section]);
    if (JSON.stringify(p) === JSON.stringify(a)) continue;
    const byId = (x: unknown) =>
      new Map((Array.isArray(x) ? x : [x]).map((o) => [String((o as Json)?.id ?? ""), o as Json]));
    const pm = byId(p);
    const am = byId(a);
    for (const id of new Set([...pm.keys(), ...am.keys()])) {
      const po = pm.get(id);
      const ao = am.get(id);
      if (!po || !ao) {
        out.push(`${section}[${id}]: ${po ? "predicted, not read back" : "read back, not predicted"}`);
        continue;
      }
      for (const key of new Set([...Object.keys(po), ...Object.keys(ao)]))
        if (JSON.stringify(po[key]) !== JSON.stringify(ao[key]))
          out.push(
            `${section}[${id}].${key}: predicted ${JSON.stringify(po[key])?.slice(0, 300)}, read ${JSON.stringify(ao[key])?.slice(0, 300)}`,
          );
    }
  }
  return out;
}

describe("the gate's prediction is what the tenant becomes", () => {
  let h: ApplyHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("on every step of the walkthrough with the restricted administrative unit", async () => {
    h = await startApplyHarness({
      config: (yaml) => yaml.replace(/restrictedAU: false/, "restrictedAU: true"),
    });
    const harness = h;
    const clock = harness.clock;
    const writer = createGraphWriter(clientsFor(harness.emu), {
      caPem: harness.emu.caPem,
      caIntervalMs: 0,
      sleep: async (ms) => void (clock.now += ms),
      now: () => clock.now,
    });
    const config = await harness.config();
    expect(config.profile.restrictedAU).toBe(true);
    const mismatches: string[] = [];
    let checked = 0;

    const run = async (steps: Step[]) => {
      const ids = new Map<string, string>();
      let state = await harness.read();
      for (const step of steps.filter(isChange)) {
        const filled = resolveRefs(step.request, ids);
        const request =
          step.secret === "password"
            ? (JSON.parse(JSON.stringify(filled).replace(SECRET_TOKEN, generatePassword())) as typeof filled)
            : filled;
        const lookup = step.lookup ? { url: resolveRefs(step.lookup.url, ids) } : undefined;
        const result = await writer.execute({ request, ...(lookup ? { lookup } : {}) });
        expect(result.ok, `${step.id}: ${JSON.stringify(result)}`).toBe(true);
        if (result.ok && result.id && step.action === "create") ids.set(step.id, result.id);
        const predicted = predict(state, step, ids);
        const actual = await harness.read();
        mismatches.push(...differences(predicted, actual).map((d) => `${step.id}: ${d}`));
        checked++;
        // the next step is predicted from what the tenant really is
        state = actual;
      }
    };

    await run(derivePlan(await harness.read(), config).steps);
    for (const upn of config.accounts ?? []) await harness.enroll(upn);
    const second = derivePlan(await harness.read(), config).steps;
    expect(second.some((s) => s.kind === "au")).toBe(true);
    await run(second);
    expect(checked).toBeGreaterThan(15);
    expect(mismatches).toEqual([]);
  }, 300_000);
});
