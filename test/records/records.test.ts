import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ACCESS_RECORD_SCHEMA,
  closeRecord,
  findRecord,
  listRecords,
  newRecordId,
  openRecord,
} from "../../src/records/access.js";
import { loadCheckRecords } from "../../src/records/check-records.js";
import { parseCustody } from "../../src/records/custody.js";
import { FileRecordStore } from "../../src/records/store.js";

const GOOD = `
custodians:
  - { name: Ana, since: 2026-01-01, trainedOn: 2026-02-01 }
  - { name: Bo, since: 2026-01-01 }
keys:
  - { label: k1, account: a@x.onmicrosoft.com, aaGuid: 2fc0579f-8113-47ea-b116-bb5a8db9202a, location: site-a/safe-1, custodians: [Ana, Bo] }
pins:
  - { key: k1, location: site-b/env, custodians: [Ana, Bo] }
review: { date: 2026-10-01, by: Ana }
`;

describe("custody.yaml", () => {
  it("parses a registry, YAML dates as days", () => {
    const c = parseCustody(GOOD);
    expect(c.custodians[0]).toMatchObject({ name: "Ana", since: "2026-01-01", trainedOn: "2026-02-01" });
    expect(c.keys[0]!.location).toBe("site-a/safe-1");
  });
  it("names the key path of every problem", () => {
    expect(() => parseCustody(GOOD.replace("site-a/safe-1", "Room 12, 3rd floor"))).toThrow(
      /keys\[0\]\.location.*opaque label/s,
    );
    expect(() =>
      parseCustody(GOOD.replace("custodians: [Ana, Bo] }\npins", "custodians: [Ana, Zed] }\npins")),
    ).toThrow(/keys\[0\]\.custodians\[1\]: "Zed" is not under custodians/);
    expect(() => parseCustody(GOOD.replace("{ key: k1,", "{ key: k9,"))).toThrow(
      /pins\[0\]\.key: no key is labelled "k9"/,
    );
    expect(() => parseCustody(`${GOOD}\nsafeCombination: 1234\n`)).toThrow(/safeCombination: unknown key/);
    expect(() => parseCustody("keys: [")).toThrow(/malformed YAML/);
  });
});

describe("drill, use and enrollment records", () => {
  const store = async () => new FileRecordStore(await mkdtemp(join(tmpdir(), "bg-rec-")));
  const record = (id: string, kind: "drill" | "use" = "drill") =>
    ({
      schema: ACCESS_RECORD_SCHEMA,
      id,
      kind,
      account: { id: "u1", userPrincipalName: "a@x" },
      startedAt: "2026-11-01T10:00:00Z",
      keysAtStart: [],
    }) as const;

  it("opens once, completes once, lists oldest first", async () => {
    const s = await store();
    const id = newRecordId("drill", new Date("2026-11-01T10:00:00Z"), () => "abc123");
    expect(id).toBe("drill-20261101t1000-abc123");
    await openRecord(s, record(id));
    await expect(openRecord(s, record(id))).rejects.toThrow(/exists/);
    await openRecord(s, { ...record("use-20261102t1000-ffffff", "use"), startedAt: "2026-10-01T00:00:00Z" });
    await closeRecord(s, id, { finishedAt: "2026-11-01T10:30:00Z", outcome: "success" });
    await expect(closeRecord(s, id, { finishedAt: "2026-11-01T11:00:00Z" })).rejects.toThrow(/never changed/);
    expect((await findRecord(s, id))?.outcome).toBe("success");
    expect((await listRecords(s)).map((r) => r.kind)).toEqual(["use", "drill"]);
    const loaded = await loadCheckRecords(s);
    expect(loaded.hasAccessRecords).toBe(true);
    expect(loaded.custody).toBeUndefined();
  });
  it("refuses ids that are not record ids", async () => {
    await expect(findRecord(await store(), "../../etc")).rejects.toThrow(/not a record id/);
  });
});
