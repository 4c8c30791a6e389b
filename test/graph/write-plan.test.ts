/**
 * Every request deploy plans for the before.json sample, sent through the Graph writer over HTTPS to
 * the emulator (which shares none of deploy's code): each is accepted, and a second plan on the
 * tenant read back has nothing left to do but the steps that wait for enrollment.
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index.js";
import { createGraphWriter } from "../../src/graph/index.js";
import { derivePlan } from "../../src/deploy/plan.js";
import { isChange, resolveRefs, SECRET_TOKEN, type Step } from "../../src/deploy/types.js";
import { clientsFor, emulate, exportFrom, fixtureConfig, loadFixture } from "../e2e/helpers.js";

/** a password of the kind apply generates: four character classes, 64 characters */
const password = () => `Aa1!${randomBytes(45).toString("base64url").slice(0, 60)}`;

function fill(step: Step, ids: Map<string, string>) {
  const request = resolveRefs(step.request, ids);
  if (step.secret === "password") {
    return JSON.parse(JSON.stringify(request).replace(SECRET_TOKEN, password())) as typeof request;
  }
  return request;
}

describe("deploy's planned requests against the emulator", () => {
  let emu: RunningEmulator | undefined;
  afterAll(async () => emu?.close());

  it("before.json: every step that does not wait is accepted; the next plan has no changes", async () => {
    const clock = { now: Date.now() };
    emu = await emulate(await loadFixture("before"), { deployer: true, now: () => clock.now });
    const config = await fixtureConfig("before");
    const { snapshot } = await exportFrom(emu, { config });
    const plan = derivePlan(snapshot, config);
    const clients = clientsFor(emu);
    const writer = createGraphWriter(clients, {
      caPem: emu.caPem,
      sleep: async (ms) => void (clock.now += ms),
      now: () => clock.now,
    });
    const ids = new Map<string, string>();
    const sent: string[] = [];
    for (const step of plan.steps.filter((s) => !s.waiting && isChange(s))) {
      const request = fill(step, ids);
      const result = await writer.execute({
        request,
        ...(step.lookup ? { lookup: { url: resolveRefs(step.lookup.url, ids) } } : {}),
      });
      expect(result.ok, `${step.id}: ${request.method} ${request.url} -> ${JSON.stringify(result)}`).toBe(
        true,
      );
      if (result.ok && result.id) ids.set(step.id, result.id);
      sent.push(`${request.method} ${step.id}`);
    }
    expect(sent.length).toBeGreaterThan(5);
    const after = derivePlan((await exportFrom(emu, { config })).snapshot, config);
    const left = after.steps.filter((s) => !s.waiting && isChange(s)).map((s) => `${s.id}: ${s.summary}`);
    expect(left).toEqual([]);
  });
});
