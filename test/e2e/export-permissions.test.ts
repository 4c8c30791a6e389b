/**
 * Done-when: for each permission P that `breakglass permissions export` lists, an app lacking only P
 * exports with exactly the sections that need P in `unavailable`, naming P, and equality everywhere
 * else.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index.js";
import {
  GRAPH_READS,
  applicationPermissions,
  missingPermissions,
  tablePath,
} from "../../src/collect/permissions.js";
import { unavailableReason } from "../../src/snapshot/availability.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { formatDifferences, snapshotDifferences } from "../support/equality.js";
import { emulate, exportFrom, loadFixture, snapshotPathOf } from "./helpers.js";

const FIXTURE = "good";

describe("an app lacking one permission", () => {
  let sample: Snapshot;
  let emu: RunningEmulator;
  beforeAll(async () => {
    sample = await loadFixture(FIXTURE);
    emu = await emulate(sample);
  });
  afterAll(async () => {
    await emu?.close();
  });

  for (const permission of applicationPermissions("export")) {
    it(`without ${permission}: exactly what needs it is unavailable, naming it`, async () => {
      const secret = `test~${permission}~secret`;
      const granted = applicationPermissions("export").filter((p) => p !== permission);
      const app = emu.registerApp({
        secret,
        graphPermissions: granted,
        arm: { subscriptions: "*", aadiam: true },
      });
      const { snapshot } = await exportFrom(emu, { clientId: app.clientId, secret });
      // The reads the remaining set cannot do (an alternative permission may still cover one).
      // The registration report is read only to spare everyday admins' methods, which needs configured
      // accounts (docs/reads.md); without a config it is not read at all.
      const needing = GRAPH_READS.filter(
        (r) => r.path !== "registrationDetails" && missingPermissions(r.path, granted).includes(permission),
      ).map((r) => r.path);
      for (const path of needing) {
        const reason = unavailableReason(snapshot, path);
        expect(reason, `${path} should be unavailable`).toBeDefined();
        expect(reason).toContain(permission);
      }
      for (const [key, reason] of Object.entries(snapshot.unavailable ?? {})) {
        const needsP = needing.includes(tablePath(key));
        // An entry that does not need P must follow from one that does ("not read: users unavailable").
        if (!needsP)
          expect(reason, `${key} is unavailable without needing ${permission}`).toMatch(/^not read/);
        else expect(reason).toContain(permission);
      }
      const unexplained = snapshotDifferences(sample, snapshot, 1000).filter(
        (d) => unavailableReason(snapshot, snapshotPathOf(d.path)) === undefined,
      );
      expect(unexplained, formatDifferences(unexplained)).toEqual([]);
    });
  }
});
