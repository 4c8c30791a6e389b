/**
 * Single mutations of the good sample's records (fixtures/tenants/good/: custody.yaml, drills/),
 * each breaking one custody, drill or runbook recommendation (docs/drills.md) and declaring exactly
 * the checks it changes. The good records: custodians Ruben Jansen and Maud de Vries hold every key,
 * Sem Bakker and Lotte Visser every PIN; each key was drilled (the A keys 26 days before capture,
 * the B keys 68); the runbook was reviewed 26 days before capture.
 */
import type { AccessRecord } from "../../../src/records/access.js";
import { EVIDENCE } from "../../../src/records/vocabulary.js";
import type { CheckRecords } from "../../../src/records/check-records.js";
import type { Snapshot } from "../../../src/snapshot/schema.js";
import type { Mutation } from "./catalog.js";
import { type Json, sections, user, ZT4P9W } from "./good.js";

const custody = (r: CheckRecords) => r.custody!;
const key = (r: CheckRecords, label: string) => custody(r).keys.find((k) => k.label === label)!;
const pin = (r: CheckRecords, label: string) => custody(r).pins.find((p) => p.key === label)!;
const drillOf = (r: CheckRecords, label: string): AccessRecord => r.access.find((a) => a.key === label)!;
const fido2 = (s: Snapshot, id: string): Json[] =>
  (user(s, id).authenticationMethods as Json[]).filter((m) => m["@odata.type"].includes("fido2"));
const shift = (iso: string, days: number) => new Date(Date.parse(iso) - days * 86_400_000).toISOString();

/** Moves a drill `days` earlier, window and key readings alike. */
function age(d: AccessRecord, days: number): void {
  d.startedAt = shift(d.startedAt, days);
  d.finishedAt = shift(d.finishedAt!, days);
  if (d.alertReceivedAt) d.alertReceivedAt = shift(d.alertReceivedAt, days);
}

export const RECORDS_MUTATIONS: Mutation[] = [
  {
    name: "a custodian holds both a key and its PIN",
    breaks: "000/004: PINs apart from keys, two people needed to use a key (twoPersonRule)",
    expect: { "EA-OPS-03": "fail" },
    apply(_s, _c, r) {
      pin(r, "zt4p9w-a").custodians = ["Sem Bakker", "Ruben Jansen"];
    },
  },
  {
    name: "one custodian left",
    breaks: "000/004: two custodians for every key at all times; the runbook reviewed after a change",
    // Maud de Vries left on 2026-10-20, after the last review: every key is down to Ruben Jansen.
    expect: { "EA-OPS-03": "fail", "EA-OPS-04": "fail" },
    apply(_s, _c, r) {
      custody(r).custodians.find((c) => c.name === "Maud de Vries")!.until = "2026-10-20";
    },
  },
  {
    name: "a key enrolled in Entra but not in the registry",
    breaks: "000/004: every enrolled key is known and held (no unknown key)",
    expect: { "EA-OPS-03": "fail" },
    apply(_s, _c, r) {
      const c = custody(r);
      c.keys = c.keys.filter((k) => k.label !== "zt4p9w-b");
      c.pins = c.pins.filter((p) => p.key !== "zt4p9w-b");
    },
  },
  {
    name: "a registry key no longer enrolled",
    breaks: "000/004: every registered key is enrolled (no lost key)",
    // Key zt4p9w-b was deleted from the account in Entra; the registry still lists it, and the
    // account is left with one key (fewer than two; one model, one vendor).
    expect: { "EA-OPS-03": "fail", "EA-AUTH-01": "warn", "EA-AUTH-02": "fail" },
    apply(s) {
      const methods = user(s, ZT4P9W).authenticationMethods as Json[];
      methods.splice(methods.indexOf(fido2(s, ZT4P9W)[1]), 1);
    },
  },
  {
    name: "two keys of one model on an account",
    breaks: "000/004: keys of different models, so one model's recall or flaw does not take both",
    // zt4p9w's B key is a second YubiKey 5 NFC, as enrolled and as registered.
    expect: { "EA-OPS-03": "fail", "EA-AUTH-02": "fail" },
    apply(s, _c, r) {
      const [a, b] = fido2(s, ZT4P9W);
      b!.aaGuid = a!.aaGuid;
      b!.model = a!.model;
      key(r, "zt4p9w-b").aaGuid = a!.aaGuid;
      key(r, "zt4p9w-b").model = a!.model;
    },
  },
  {
    name: "a stale key drill",
    breaks: "004: each key tested every 90 days",
    // mq8r3x-b was last drilled 100 days before capture; the account itself was drilled since.
    expect: { "EA-OPS-02": "fail" },
    apply(_s, _c, r) {
      age(drillOf(r, "mq8r3x-b"), 32);
    },
  },
  {
    name: "an account last drilled 100 days ago",
    breaks: "001/004: each account tested every 90 days",
    // Both of zt4p9w's drills moved 74 days back (100 and 142 days before capture): the account
    // and both keys are overdue, and its sign-ins of 26 days ago are no longer a drill's.
    expect: { "EA-OPS-01": "fail", "EA-OPS-02": "fail", "EA-MON-05": "fail" },
    apply(_s, _c, r) {
      age(drillOf(r, "zt4p9w-a"), 74);
      age(drillOf(r, "zt4p9w-b"), 74);
    },
  },
  {
    name: "a drill whose sign-in used the password",
    breaks: "001/004: the drill proves the key, not the password",
    // zt4p9w's drill sign-in of 26 days ago went password first: drill finish records FIDO2 as
    // failed and the drill as a failure, so key zt4p9w-a is unproven; the password was used.
    expect: { "EA-OPS-02": "fail", "EA-ACC-06": "fail" },
    apply(s, _c, r) {
      const signIn = (sections(s).signIns as Json[]).find(
        (x) =>
          x.userId === ZT4P9W && x.authenticationDetails?.[0]?.authenticationMethod === "FIDO2 security key",
      )!;
      signIn.authenticationDetails.unshift({
        ...signIn.authenticationDetails[0],
        authenticationMethod: "Password",
        authenticationStepRequirement: "Primary authentication",
      });
      const d = drillOf(r, "zt4p9w-a");
      d.outcome = "failure";
      d.evidence = d.evidence!.map((e) =>
        e.item === EVIDENCE.fido2
          ? { ...e, status: "fail", reason: "authenticationDetails: Password, then FIDO2 security key" }
          : e,
      );
    },
  },
  {
    name: "a runbook review before the last custodian change",
    breaks: "000/001/004: the procedure reviewed with the custodians who hold the keys now",
    // Noor Smit became a custodian on 2026-10-15 (trained the next day), after the review of 2026-10-06.
    expect: { "EA-OPS-04": "fail" },
    apply(_s, _c, r) {
      custody(r).custodians.push({ name: "Noor Smit", since: "2026-10-15", trainedOn: "2026-10-16" });
    },
  },
];
