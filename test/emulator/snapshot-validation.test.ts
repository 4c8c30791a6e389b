import { describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/index.js";
import { parseSnapshot, SnapshotError } from "../../src/snapshot/load.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { createFakeGraphLayer } from "./fake-graph-layer.js";
import { sampleSnapshot } from "./support.js";

/** snapshots the loader refuses, as a caller could still hand them to startEmulator */
const broken: Record<string, () => unknown> = {
  "a wrong schema": () => ({ ...sampleSnapshot(), schema: "breakglass.snapshot/v0" }),
  "users that are not a list": () => ({ ...sampleSnapshot(), users: { id: "u1" } }),
  "a user without an id": () => ({
    ...sampleSnapshot(),
    users: [{ userPrincipalName: "x@contoso.example" }],
  }),
  "no tenant": () => {
    const { tenant: _tenant, ...rest } = sampleSnapshot();
    return rest;
  },
};

describe("the emulator loads what assess loads", () => {
  it.each(Object.keys(broken))("refuses a snapshot with %s, with the loader's own error", async (name) => {
    const document = broken[name]!();
    let loaderMessage = "";
    try {
      parseSnapshot(document, "emulator snapshot");
    } catch (err) {
      loaderMessage = (err as Error).message;
    }
    expect(loaderMessage).not.toBe("");
    const started = startEmulator({
      snapshot: document as Snapshot,
      graphLayer: createFakeGraphLayer,
      throttle: false,
    });
    await expect(started).rejects.toBeInstanceOf(SnapshotError);
    await expect(started).rejects.toThrow(loaderMessage);
  });

  it("serves a snapshot the loader accepts", async () => {
    const emulator = await startEmulator({
      snapshot: sampleSnapshot(),
      graphLayer: createFakeGraphLayer,
      throttle: false,
    });
    try {
      expect(emulator.tenantId).toBe(sampleSnapshot().tenant.id);
    } finally {
      await emulator.close();
    }
  });
});
