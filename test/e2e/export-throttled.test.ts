/**
 * Issue 9: with Graph's throttling emulated, export keeps each family's pace: no 429 at all, the
 * reports family within 60 reads and its pacing floor, nothing unavailable, the same snapshot as
 * without throttling; the Conditional Access family's 1 request per second never holds the
 * directory reads; and when 429s come anyway, only the throttled reads are sent again. The
 * emulator and the client share a virtual clock: the windows are real to both, the waits take no
 * real time.
 */
import { describe, expect, it } from "vitest";
import type { CountersSnapshot } from "../../emulator/index.js";
import { familyOf } from "../../src/graph/pacing.js";
import { formatDifferences, snapshotDifferences } from "../support/equality.js";
import { VirtualClock } from "../support/virtual-clock.js";
import { clientsFor, emulate, exportableOf, exportFrom, fixtureConfig, loadFixture } from "./helpers.js";

/** Reads the emulator answered per family (inner requests of `$batch` counted, the POSTs not). */
function readsByFamily(c: CountersSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [endpoint, statuses] of Object.entries(c.requests.byEndpoint)) {
    const [, path] = endpoint.split(" ");
    if (!path || path === "/$batch" || path.startsWith("/{tenant}")) continue;
    if (/^\/(subscriptions|providers)\b/i.test(path)) continue;
    const family = familyOf(path);
    out[family] = (out[family] ?? 0) + Object.values(statuses).reduce((a, b) => a + b, 0);
  }
  return out;
}

describe("export under Graph's throttling", () => {
  // The wall time against the pacing floor is bench/'s to measure: a virtual clock moves while
  // requests are on the wire, so its elapsed time overstates a real run's.
  it("keeps every family's pace: no 429, at most 60 reports reads, nothing unavailable", async () => {
    const sample = await loadFixture("midsize");
    const config = await fixtureConfig("midsize");
    const clock = new VirtualClock();
    const emu = await emulate(sample, { throttle: true, clock });
    try {
      const result = await exportFrom(emu, { config, clock });
      const counters = emu.counters();
      expect(counters.throttled.total).toBe(0);
      expect(result.requests.throttled).toBe(0);
      expect(result.snapshot.unavailable ?? {}).toEqual({});
      const diffs = snapshotDifferences(exportableOf(sample, config), result.snapshot);
      expect(diffs, formatDifferences(diffs)).toEqual([]);

      const reports = readsByFamily(counters).reports!;
      expect(reports).toBeGreaterThan(0);
      expect(reports).toBeLessThanOrEqual(60);
      const floorMs = (Math.ceil(reports / 5) - 1) * 10_000;
      expect(result.requests.elapsedMs).toBeGreaterThanOrEqual(floorMs);
      expect(result.requests.pacingWaitMs).toBeLessThanOrEqual(result.requests.elapsedMs);
    } finally {
      await emu.close();
    }
  });

  it("does not hold the directory behind Conditional Access's 1 request per second", async () => {
    const sample = await loadFixture("midsize");
    const clock = new VirtualClock(0, { manual: true });
    const emu = await emulate(sample, { throttle: true, clock });
    try {
      const { graph } = clientsFor(emu, { clock });
      const ca = [
        "/identity/conditionalAccess/policies",
        "/identity/conditionalAccess/namedLocations",
        "/identityProtection/riskyUsers",
      ];
      let caAnswered = 0;
      const caReads = ca.map((url) => graph.read({ id: url, url }, "v1.0").then((r) => (caAnswered++, r)));
      const groups = await graph.read({ id: "groups", url: "/groups?$top=999" }, "v1.0");
      // Sent in the same tick as three CA reads, the groups come back with no time passing.
      expect(groups.ok).toBe(true);
      expect(clock.now()).toBe(0);
      const members = await graph.read(
        { id: "m", url: `/groups/${sample.groups![0]!.id}/members?$select=id` },
        "v1.0",
      );
      expect(members.ok).toBe(true);
      await caReads[0];
      expect(caAnswered).toBe(1);
      // the other two wait for the CA window, one second each
      while (clock.waiting === 0) await new Promise((r) => setImmediate(r));
      clock.advance(1_000);
      await caReads[1];
      expect(caAnswered).toBe(2);
      while (clock.waiting === 0) await new Promise((r) => setImmediate(r));
      clock.advance(1_000);
      const last = await caReads[2];
      expect(last.ok).toBe(true);
      expect(emu.counters().throttled.total).toBe(0);
    } finally {
      await emu.close();
    }
  });

  it("sends again only the reads answered 429", async () => {
    const sample = await loadFixture("midsize");
    const config = await fixtureConfig("midsize");
    const plain = await emulate(sample, { clock: new VirtualClock() });
    const clock = new VirtualClock();
    const faulty = await emulate(sample, { faultRate: 0.2, faultKinds: ["429"], seed: 7, clock });
    try {
      await exportFrom(plain, { config });
      const result = await exportFrom(faulty, { config, clock });
      expect(result.snapshot.unavailable ?? {}).toEqual({});
      const reads = (c: CountersSnapshot) =>
        Object.entries(c.requests.byEndpoint)
          .filter(([endpoint]) => !/\/\$batch$|\/\{tenant\}\//.test(endpoint))
          .reduce((n, [, statuses]) => n + Object.values(statuses).reduce((a, b) => a + b, 0), 0);
      const answered429 = Object.values(faulty.counters().requests.byEndpoint).reduce(
        (n, statuses) => n + (statuses["429"] ?? 0),
        0,
      );
      expect(answered429).toBeGreaterThan(10);
      expect(result.requests.throttled).toBe(answered429);
      // every read once, plus exactly one more for each 429
      expect(reads(faulty.counters())).toBe(reads(plain.counters()) + answered429);
    } finally {
      await plain.close();
      await faulty.close();
    }
  });

  it("reads many subjects per sign-in and audit request as Graph documents: or chains of eq, never in", async () => {
    const sample = await loadFixture("midsize");
    const emu = await emulate(sample);
    try {
      const { graph } = clientsFor(emu);
      const ids = (sample.signIns ?? []).map((s) => String(s.userId)).slice(0, 3);
      const quoted = ids.map((id) => `'${id}'`);
      const chain = await graph.get(
        `/auditLogs/signIns?$filter=${encodeURIComponent(quoted.map((q) => `userId eq ${q}`).join(" or "))}`,
        "beta",
      );
      expect(chain.ok).toBe(true);
      const refused = await graph.get(
        `/auditLogs/signIns?$filter=${encodeURIComponent(`userId in (${quoted.join(",")})`)}`,
        "beta",
      );
      expect(refused.ok ? 200 : refused.error.status).toBe(400);
    } finally {
      await emu.close();
    }
  });
});
