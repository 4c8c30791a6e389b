/**
 * What a re-run learns from earlier journals (priorOutcomes): only unfinished journals of this
 * tenant count; a sent create may have been made, a confirmed one was (with its id), and a request
 * the service refused changed nothing.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type JournalRecord, priorOutcomes, storeJournal } from "../../src/deploy/apply/journal.js";
import { FileRecordStore } from "../../src/records/store.js";

const TENANT = "dd53bdcf-4b13-4aa1-88e0-afc1dfaa67f0";
const at = "2026-12-02T09:00:00.000Z";
const started = (planId: string, tenantId = TENANT, when = at): JournalRecord => ({
  type: "started",
  at: when,
  planId,
  tenantId,
  configHash: "0".repeat(64),
  steps: 3,
  pid: 1,
});
const sent = (step: string): JournalRecord => ({ type: "sent", at, step, method: "POST", url: "/v1.0/x" });

describe("priorOutcomes", () => {
  let dir: string;
  let store: FileRecordStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "breakglass-journal-"));
    store = new FileRecordStore(dir);
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  async function write(planId: string, records: JournalRecord[]) {
    const j = storeJournal(store, planId);
    for (const r of records) await j.append(r);
  }

  it("reads the unfinished journals of this tenant only", async () => {
    await write("a".repeat(32), [
      started("a"),
      sent("accounts.x"),
      { type: "confirmed", at, step: "accounts.x", id: "id-x", via: "response" },
      sent("group.g"),
      sent("member.x"),
      { type: "failed", at, step: "member.x", outcome: "refused", status: 400, message: "400: no" },
      sent("policy.p"),
      { type: "failed", at, step: "policy.p", outcome: "unknown", message: "no response" },
    ]);
    await write("b".repeat(32), [started("b"), sent("strength.s"), { type: "completed", at, sent: 1 }]);
    await write("c".repeat(32), [started("c", "another-tenant"), sent("au.u")]);
    const prior = await priorOutcomes(store, TENANT);
    expect(prior.journals).toEqual([`journal/${"a".repeat(32)}`]);
    expect(
      Object.fromEntries([...prior.outcomes].map(([k, v]) => [k, v.state === "confirmed" ? v.id : v.state])),
    ).toEqual({
      "accounts.x": "id-x",
      "group.g": "unknown",
      "policy.p": "unknown",
    });
  });

  it("a later journal's word wins, and a confirmed create stays confirmed", async () => {
    await write("a".repeat(32), [started("a", TENANT, "2026-12-02T09:00:00.000Z"), sent("group.g")]);
    await write("b".repeat(32), [
      started("b", TENANT, "2026-12-02T10:00:00.000Z"),
      { type: "confirmed", at, step: "group.g", id: "id-g", via: "lookup" },
      sent("group.g"),
    ]);
    const prior = await priorOutcomes(store, TENANT);
    expect(prior.outcomes.get("group.g")).toEqual({
      state: "confirmed",
      id: "id-g",
      journal: `journal/${"b".repeat(32)}`,
    });
  });

  it("a superseded journal is finished", async () => {
    await write("a".repeat(32), [
      started("a"),
      sent("group.g"),
      { type: "superseded", at, by: "b".repeat(32) },
    ]);
    expect((await priorOutcomes(store, TENANT)).outcomes.size).toBe(0);
  });
});
