/**
 * EA-OPS-01..04 and EA-MON-05 on records beside the configuration: each unknown without records,
 * failed by the fault it names and passed by the good records.
 */
import { describe, expect, it } from "vitest";
import { check as mon05 } from "../../src/checks/ea-mon-05-unexplained-use.js";
import { check as ops01 } from "../../src/checks/ea-ops-01-drilled.js";
import { check as ops02 } from "../../src/checks/ea-ops-02-keys-drilled.js";
import { check as ops03 } from "../../src/checks/ea-ops-03-custody.js";
import { check as ops04 } from "../../src/checks/ea-ops-04-runbook-review.js";
import { ACCESS_RECORD_SCHEMA, type AccessRecord, EVIDENCE } from "../../src/records/access.js";
import { Custody } from "../../src/records/custody.js";
import { goodTenant } from "../support/tenant.js";

type Json = Record<string, any>;

function setup() {
  const g = goodTenant();
  const keys = (u: Json) =>
    (u.authenticationMethods as Json[]).filter((m) => m["@odata.type"].includes("fido2"));
  const [k1a, k1b] = keys(g.t.user(g.bg1.id));
  const [k2a, k2b] = keys(g.t.user(g.bg2.id));
  const custody: Json = {
    custodians: [
      { name: "Ana", since: "2026-01-01", trainedOn: "2026-02-01" },
      { name: "Bo", since: "2026-01-01", trainedOn: "2026-02-01" },
      { name: "Cy", since: "2026-01-01", trainedOn: "2026-02-01" },
      { name: "Di", since: "2026-01-01", trainedOn: "2026-02-01" },
    ],
    keys: [
      {
        label: "k1a",
        account: g.bg1.userPrincipalName,
        methodId: k1a.id,
        aaGuid: k1a.aaGuid,
        location: "site-a/safe-1",
        custodians: ["Ana", "Bo"],
      },
      {
        label: "k1b",
        account: g.bg1.id,
        methodId: k1b.id,
        aaGuid: k1b.aaGuid,
        location: "site-b/safe-1",
        custodians: ["Ana", "Bo"],
      },
      {
        label: "k2a",
        account: g.bg2.id,
        methodId: k2a.id,
        aaGuid: k2a.aaGuid,
        location: "site-a/safe-1",
        custodians: ["Ana", "Bo"],
      },
      {
        label: "k2b",
        account: g.bg2.id,
        methodId: k2b.id,
        aaGuid: k2b.aaGuid,
        location: "site-b/safe-1",
        custodians: ["Ana", "Bo"],
      },
    ],
    pins: ["k1a", "k1b", "k2a", "k2b"].map((key) => ({
      key,
      location: "site-c/envelopes",
      custodians: ["Cy", "Di"],
    })),
    runbook: { location: "site-c/binder", readers: ["Ana", "Bo", "Cy", "Di"], changedOn: "2026-01-15" },
    review: { date: "2026-10-01", by: "Ana" },
  };
  const drill = (
    account: Json,
    key: string,
    finishedAt: string,
    items: Partial<Record<keyof typeof EVIDENCE, "pass" | "fail" | "unknown">> = {},
  ): AccessRecord => ({
    schema: ACCESS_RECORD_SCHEMA,
    id: `drill-${key}-${finishedAt.slice(0, 10)}`,
    kind: "drill",
    account: { id: account.id, userPrincipalName: account.userPrincipalName },
    key,
    startedAt: new Date(new Date(finishedAt).getTime() - 3600_000).toISOString(),
    finishedAt,
    keysAtStart: [],
    outcome: "success",
    evidence: (Object.keys(EVIDENCE) as (keyof typeof EVIDENCE)[]).map((k) => ({
      item: EVIDENCE[k],
      status: items[k] ?? "pass",
      reason: "test",
    })),
  });
  const access: AccessRecord[] = [
    drill(g.bg1, "k1a", "2026-10-20T10:00:00Z"),
    drill(g.bg1, "k1b", "2026-10-21T10:00:00Z"),
    drill(g.bg2, "k2a", "2026-10-22T10:00:00Z"),
    drill(g.bg2, "k2b", "2026-10-23T10:00:00Z"),
  ];
  const withRecords = () => {
    g.t.records = {
      root: "/cfg",
      custody: Custody.parse(custody),
      access,
      hasAccessRecords: access.length > 0,
    };
  };
  withRecords();
  return { ...g, custody, access, drill, withRecords };
}

const statusOf = (r: { status: string }) => r.status;

describe("records checks without records", () => {
  it("are unknown, never pass, when no records were read or none exist", () => {
    const { t } = setup();
    t.records = undefined;
    for (const c of [ops01, ops02, ops03, ops04, mon05]) expect(statusOf(t.run(c))).toBe("unknown");
    expect(t.run(mon05).findings[0]!.message).toMatch(/no records were read/);
    t.records = { root: "/cfg", access: [], hasAccessRecords: false };
    for (const c of [ops01, ops02, ops03, ops04, mon05]) expect(statusOf(t.run(c))).toBe("unknown");
    expect(t.run(mon05).findings[0]!.message).toMatch(/no drill records/);
    expect(t.run(ops03).findings[0]!.message).toMatch(/no custody registry/);
  });
});

describe("EA-OPS-01 drilled", () => {
  it("passes with a recent successful drill per account", () => {
    expect(statusOf(setup().t.run(ops01))).toBe("pass");
  });
  it("fails a stale drill and a drill whose sign-in was not proved", () => {
    const s = setup();
    s.access.splice(
      0,
      s.access.length,
      s.drill(s.bg1, "k1a", "2026-06-01T10:00:00Z"),
      s.drill(s.bg2, "k2a", "2026-10-22T10:00:00Z", { signIn: "unknown" }),
    );
    s.withRecords();
    const r = s.t.run(ops01);
    expect(r.status).toBe("fail");
    expect(r.findings.map((f) => f.message).join("\n")).toMatch(/153 days ago[\s\S]*no successful drill/);
  });
});

describe("EA-OPS-02 keys drilled", () => {
  it("passes when each key was proven", () => {
    expect(statusOf(setup().t.run(ops02))).toBe("pass");
  });
  it("fails a key whose drill used the password (key not proven)", () => {
    const s = setup();
    s.access[3] = s.drill(s.bg2, "k2b", "2026-10-23T10:00:00Z", { fido2: "fail", key: "fail" });
    s.withRecords();
    const r = s.t.run(ops02);
    expect(r.status).toBe("fail");
    expect(r.findings.filter((f) => f.status === "fail").map((f) => f.evidence?.key)).toEqual(["k2b"]);
  });
});

describe("EA-OPS-02 and EA-OPS-04 never pass on an empty registry", () => {
  it("fails an account with no registered key, and a registry with no current custodian", () => {
    const s = setup();
    s.custody.keys = s.custody.keys.filter((k: Json) => k.account !== s.bg2.id);
    s.custody.pins = s.custody.pins.filter((p: Json) => p.key.startsWith("k1"));
    s.withRecords();
    const r = s.t.run(ops02);
    expect(r.status).toBe("fail");
    expect(r.findings.find((f) => f.status === "fail")?.message).toMatch(
      /has no key in the custody registry/,
    );
    const e = setup();
    e.custody.custodians = e.custody.custodians.map((c: Json) => ({ ...c, until: "2026-10-01" }));
    e.withRecords();
    expect(
      e.t.run(ops04).findings.some((f) => f.status === "fail" && /no current custodian/.test(f.message)),
    ).toBe(true);
  });
});

describe("EA-OPS-03 custody", () => {
  it("passes the good registry", () => {
    const r = setup().t.run(ops03);
    expect(r.findings.filter((f) => f.status !== "pass")).toEqual([]);
    expect(r.status).toBe("pass");
  });
  const faults: Array<[string, (s: ReturnType<typeof setup>) => void, RegExp]> = [
    [
      "a custodian holding both key and PIN",
      (s) => (s.custody.pins[0].custodians = ["Ana", "Cy"]),
      /Ana hold\(s\) both key k1a/,
    ],
    [
      "one custodian left",
      (s) => (s.custody.custodians[1].until = "2026-10-01"),
      /k1a has 1 current custodian/,
    ],
    [
      "a key enrolled but not registered",
      (s) => s.custody.keys.splice(1, 1),
      /enrolled but not in the custody registry/,
    ],
    [
      "a registered key no longer enrolled",
      (s) => (s.custody.keys[0].methodId = "gone"),
      /k1a is in the registry but no longer enrolled/,
    ],
    [
      "two keys of one model",
      (s) => (
        (s.custody.keys[1].aaGuid = s.custody.keys[0].aaGuid),
        (s.custody.keys[1].methodId = undefined),
        (s.t
          .user(s.bg1.id)
          .authenticationMethods.find(
            (m: Json) => m.id !== s.custody.keys[0].methodId && m["@odata.type"].includes("fido2"),
          ).aaGuid = s.custody.keys[0].aaGuid)
      ),
      /two keys are of one model/,
    ],
    [
      "two keys in one place",
      (s) => (s.custody.keys[1].location = "site-a/safe-1"),
      /two keys are kept in one location/,
    ],
  ];
  for (const [name, plant, message] of faults)
    it(`fails ${name}`, () => {
      const s = setup();
      plant(s);
      s.withRecords();
      const r = s.t.run(ops03);
      expect(r.status).toBe("fail");
      expect(
        r.findings
          .filter((f) => f.status === "fail")
          .map((f) => f.message)
          .join("\n"),
      ).toMatch(message);
    });
  it("is unknown when an account's methods could not be read", () => {
    const s = setup();
    s.t.unavailable(`users[${s.bg1.id}].authenticationMethods`);
    expect(s.t.run(ops03).status).toBe("unknown");
  });
});

describe("EA-OPS-04 runbook review", () => {
  it("passes a recent review with trained custodians", () => {
    expect(statusOf(setup().t.run(ops04))).toBe("pass");
  });
  it("fails a review before the last custodian change, a stale review, an untrained custodian", () => {
    const s = setup();
    s.custody.custodians.push({ name: "Ed", since: "2026-10-15" });
    s.withRecords();
    const r = s.t.run(ops04);
    expect(r.status).toBe("fail");
    expect(r.findings.map((f) => f.message).join("\n")).toMatch(
      /changed on 2026-10-15, after the last review[\s\S]*Ed not trained/,
    );
    const stale = setup();
    stale.custody.review.date = "2026-05-01";
    stale.withRecords();
    expect(stale.t.run(ops04).findings[0]!.message).toMatch(/184 days ago/);
  });
  it("is unknown on training when the runbook's change date is not recorded", () => {
    const s = setup();
    delete s.custody.runbook.changedOn;
    s.withRecords();
    expect(s.t.run(ops04).status).toBe("unknown");
  });
});

describe("EA-MON-05 unexplained use", () => {
  const signIn = (userId: string, at: string, errorCode = 0) => ({
    id: `si-${at}`,
    userId,
    createdDateTime: at,
    status: { errorCode },
    ipAddress: "203.0.113.9",
    appDisplayName: "Azure Portal",
  });
  it("passes with no sign-in, and with sign-ins inside drill windows", () => {
    const s = setup();
    expect(s.t.run(mon05).status).toBe("pass");
    s.t.doc.signIns.push(signIn(s.bg1.id, "2026-10-20T09:30:00Z"));
    expect(s.t.run(mon05).status).toBe("pass");
  });
  it("fails an unexplained success with its details, warns on an unexplained failure", () => {
    const s = setup();
    s.t.doc.signIns.push(
      signIn(s.bg1.id, "2026-10-25T03:00:00Z"),
      signIn(s.bg2.id, "2026-10-26T03:00:00Z", 50126),
    );
    const r = s.t.run(mon05);
    expect(r.status).toBe("fail");
    const fail = r.findings.find((f) => f.status === "fail")!;
    expect(fail.message).toMatch(/2026-10-25T03:00:00Z from 203\.0\.113\.9/);
    expect(fail.evidence).toMatchObject({ ip: "203.0.113.9", app: "Azure Portal" });
    expect(r.findings.some((f) => f.status === "warn" && /error 50126/.test(f.message))).toBe(true);
  });
  it("says whether the sign-in alert fired for an unexplained sign-in (azure.alerts)", () => {
    const alert = (start: string) => ({
      id: `/subscriptions/s1/providers/Microsoft.AlertsManagement/alerts/${start}`,
      name: "sqr-signin",
      properties: { essentials: { alertRule: "/subscriptions/s1/rules/sqr-signin", startDateTime: start } },
    });
    const s = setup();
    s.t.doc.signIns.push(signIn(s.bg1.id, "2026-10-25T03:00:00Z"));
    s.t.doc.azure = { alerts: [alert("2026-10-20T09:00:00Z"), alert("2026-10-25T03:06:00Z")] };
    const paged = s.t.run(mon05).findings.find((f) => f.status === "fail")!;
    expect(paged.message).toMatch(/the sign-in alert fired at 2026-10-25T03:06:00Z$/);
    expect(paged.evidence).toMatchObject({
      alert: { id: alert("2026-10-25T03:06:00Z").id, startDateTime: "2026-10-25T03:06:00Z" },
    });
    // later than alert.maxDelay (PT15M) is not this sign-in's alert
    s.t.doc.azure = { alerts: [alert("2026-10-25T03:20:00Z")] };
    const silent = s.t.run(mon05).findings.find((f) => f.status === "fail")!;
    expect(silent.message).toMatch(/no sign-in alert fired within 15 minutes of it, so nobody was paged$/);
    expect(silent.evidence).toMatchObject({ alert: null });
  });
  it("with the alerts unread, a proven unexplained success still fails; an unexplained failure alone is unknown", () => {
    const s = setup();
    s.t.doc.signIns.push(signIn(s.bg1.id, "2026-10-25T03:00:00Z"));
    s.t.unavailable("azure.alerts", "403 Forbidden");
    const r = s.t.run(mon05);
    expect(r.status).toBe("fail");
    expect(r.findings.find((f) => f.status === "fail")!.evidence).toMatchObject({
      alert: expect.stringMatching(/^not read: .*403 Forbidden/),
    });
    const w = setup();
    w.t.doc.signIns.push(signIn(w.bg2.id, "2026-10-26T03:00:00Z", 50126));
    w.t.unavailable("azure.alerts", "403 Forbidden");
    expect(w.t.run(mon05).status).toBe("unknown");
    // read, and empty: the failure warns
    w.t.doc.azure = { alerts: [] };
    w.t.doc.unavailable = {};
    expect(w.t.run(mon05).status).toBe("warn");
  });
  it("is unknown with sign-ins and no records read, and when sign-ins are unreadable", () => {
    const s = setup();
    s.t.doc.signIns.push(signIn(s.bg1.id, "2026-10-25T03:00:00Z"));
    s.t.records = undefined;
    expect(s.t.run(mon05).status).toBe("unknown");
    const u = setup();
    u.t.unavailable("signIns");
    expect(u.t.run(mon05).status).toBe("unknown");
  });
  it("is unknown on a sign-in without a time", () => {
    const s = setup();
    s.t.doc.signIns.push({ ...signIn(s.bg1.id, "2026-10-25T03:00:00Z"), createdDateTime: null });
    expect(s.t.run(mon05).status).toBe("unknown");
  });
  it("does not let a drill never finished explain sign-ins past 24 hours after its start", () => {
    const s = setup();
    const open = { ...s.drill(s.bg1, "k1a", "2026-10-28T10:00:00Z"), id: "drill-open-1", outcome: undefined };
    delete (open as Partial<AccessRecord>).finishedAt;
    s.access.push(open as AccessRecord);
    s.withRecords();
    s.t.doc.signIns.push(signIn(s.bg1.id, "2026-10-28T12:00:00Z"));
    expect(s.t.run(mon05).status).toBe("pass");
    s.t.doc.signIns.push(signIn(s.bg1.id, "2026-10-30T03:00:00Z"));
    const r = s.t.run(mon05);
    expect(r.status).toBe("fail");
    expect(r.findings.find((f) => f.status === "fail")!.message).toMatch(/2026-10-30T03:00:00Z/);
  });
  it("ignores sign-ins older than the lookback", () => {
    const s = setup();
    s.t.doc.signIns.push(signIn(s.bg1.id, "2026-08-01T03:00:00Z"));
    expect(s.t.run(mon05).status).toBe("pass");
  });
});
