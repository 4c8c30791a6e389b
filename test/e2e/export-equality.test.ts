/**
 * Done-when: each sample tenant, exported through the emulator over HTTPS once with a client secret
 * and once with a certificate, equals what export reads of the sample (test/support/equality.ts;
 * exportableOf in helpers.ts, after docs/reads.md).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { parseSnapshot } from "../../src/snapshot/load.js";
import { formatDifferences, snapshotDifferences } from "../support/equality.js";
import type { Config } from "../../src/config/schema.js";
import { emulate, exportableOf, exportFrom, fixtureConfig, fixtureNames, loadFixture } from "./helpers.js";

for (const name of fixtureNames()) {
  describe(`export of the ${name} sample`, () => {
    let sample: Snapshot;
    let expected: Snapshot;
    let emu: RunningEmulator;
    let config: Config;
    beforeAll(async () => {
      sample = await loadFixture(name);
      config = await fixtureConfig(name);
      expected = exportableOf(sample, config);
      emu = await emulate(sample);
    });
    afterAll(async () => {
      await emu?.close();
    });

    it("with a client secret equals the sample", async () => {
      const result = await exportFrom(emu, { config });
      expect(result.snapshot.unavailable ?? {}).toEqual(sample.unavailable ?? {});
      const diffs = snapshotDifferences(expected, result.snapshot);
      expect(diffs, formatDifferences(diffs)).toEqual([]);
      // what export writes is a valid snapshot
      expect(() => parseSnapshot(JSON.parse(JSON.stringify(result.snapshot)))).not.toThrow();
    });

    it("with a certificate equals the sample", async () => {
      const { app, certificate } = emu.registerCertificateApp();
      const result = await exportFrom(emu, {
        clientId: app.clientId,
        certificatePem: certificate.combinedPem,
        config,
      });
      expect(result.snapshot.unavailable ?? {}).toEqual(sample.unavailable ?? {});
      const diffs = snapshotDifferences(expected, result.snapshot);
      expect(diffs, formatDifferences(diffs)).toEqual([]);
    });
  });
}
