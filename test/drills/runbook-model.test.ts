/**
 * The runbook's content: current custodians only, every key with its PIN envelopes and the
 * password halves under its account, the alert receivers, the newest records first (at most
 * HISTORY_LENGTH), the next review from the interval; nothing a person wrote as free text.
 */
import { describe, expect, it } from "vitest";
import { Config } from "../../src/config/schema.js";
import { buildRunbook, HISTORY_LENGTH } from "../../src/drills/runbook-model.js";
import type { AccessRecord } from "../../src/records/access.js";
import { parseCustody } from "../../src/records/custody.js";

const CUSTODY = parseCustody(`
custodians:
  - { name: Ana, contact: ana@contoso.test, since: 2026-01-01 }
  - { name: Bo, since: 2026-01-01 }
  - { name: Gone, since: 2025-01-01, until: 2026-06-30 }
  - { name: Leaving, since: 2025-01-01, until: 2027-01-31 }
keys:
  - { label: k1, account: bg1@contoso.test, model: YubiKey 5, location: site-a/safe-1, custodians: [Ana, Bo] }
pins:
  - { key: k1, location: site-b/safe-2, custodians: [Leaving] }
passwordHalves:
  - { account: BG1@contoso.test, half: 1, location: hq/env-1, custodian: Ana }
review: { date: 2026-10-01, by: Ana }
`);
const config = Config.parse({
  accounts: ["bg1@contoso.test", "bg2@contoso.test"],
  profile: { reviewIntervalDays: 60 },
  azure: {
    actionGroup: {
      name: "ea-alerts",
      receivers: {
        email: [{ name: "SOC", address: "soc@contoso.test" }],
        sms: [{ name: "On call", countryCode: "31", phoneNumber: "612345678" }],
      },
    },
  },
});
const record = (i: number): AccessRecord => ({
  schema: "breakglass.drill/v1",
  id: `drill-202611${String(i).padStart(2, "0")}t1000-abcdef`,
  kind: "drill",
  account: { id: "1111", userPrincipalName: "bg1@contoso.test" },
  key: "k1",
  startedAt: `2026-11-${String(i).padStart(2, "0")}T10:00:00.000Z`,
  keysAtStart: [],
  notes: "PIN 918273",
});

describe("buildRunbook", () => {
  const rb = buildRunbook({
    config,
    custody: CUSTODY,
    records: Array.from({ length: 25 }, (_, i) => record(i + 1)),
    now: new Date("2026-11-30T12:00:00Z"),
  });

  it("lists current custodians only, each key with its PIN envelopes, the halves under their account", () => {
    expect(rb.custodians.map((c) => c.name)).toEqual(["Ana", "Bo", "Leaving"]);
    expect(rb.accounts.map((a) => a.name)).toEqual(["bg1@contoso.test", "bg2@contoso.test"]);
    expect(rb.accounts[0]!.keys).toEqual([
      {
        label: "k1",
        model: "YubiKey 5",
        location: "site-a/safe-1",
        custodians: ["Ana", "Bo"],
        pins: [{ location: "site-b/safe-2", custodians: ["Leaving"] }],
      },
    ]);
    expect(rb.accounts[0]!.passwordHalves).toEqual([{ half: 1, location: "hq/env-1", custodian: "Ana" }]);
    expect(rb.accounts[1]!.keys).toEqual([]);
  });

  it("names the alert receivers, the next review, the newest records; never a record's free text", () => {
    expect(rb.alertReceivers).toEqual([
      { name: "SOC", via: "email soc@contoso.test" },
      { name: "On call", via: "SMS +31 612345678" },
    ]);
    expect(rb.review).toEqual({ date: "2026-10-01", by: "Ana", due: "2026-11-30", intervalDays: 60 });
    expect(rb.history).toHaveLength(HISTORY_LENGTH);
    expect(rb.history[0]!.startedAt).toBe("2026-11-25T10:00:00.000Z");
    expect(rb.history[0]!.outcome).toBe("open");
    expect(JSON.stringify(rb)).not.toContain("918273");
  });

  it("without a registry: no keys, no custodians, no review, still every configured account", () => {
    const bare = buildRunbook({
      config,
      custody: undefined,
      records: [],
      now: new Date("2026-11-30T12:00:00Z"),
    });
    expect(bare.accounts.map((a) => a.keys.length)).toEqual([0, 0]);
    expect(bare.custodians).toEqual([]);
    expect(bare.review.date).toBeNull();
  });
});
