import { describe, expect, it } from "vitest";
import { drillEvidence, type DrillReadings, type SignInRecord } from "../../src/drills/evidence.js";
import { ACCESS_RECORD_SCHEMA, type AccessRecord, EVIDENCE } from "../../src/records/access.js";

const record: AccessRecord = {
  schema: ACCESS_RECORD_SCHEMA,
  id: "drill-20261101t1000-aaaaaa",
  kind: "drill",
  account: { id: "U1", userPrincipalName: "k7q2m@x" },
  key: "k1a",
  startedAt: "2026-11-01T10:00:00Z",
  keysAtStart: [
    { methodId: "m1", aaGuid: "g1", lastUsedDateTime: "2026-08-01T00:00:00Z" },
    { methodId: "m2", aaGuid: "g2", lastUsedDateTime: null },
  ],
};
const FINISH = "2026-11-01T10:30:00Z";
const signIn = (o: Partial<SignInRecord> = {}): SignInRecord => ({
  id: "s1",
  userId: "u1",
  createdDateTime: "2026-11-01T10:05:00Z",
  isInteractive: true,
  status: { errorCode: 0 },
  authenticationDetails: [{ authenticationMethod: "FIDO2 security key", succeeded: true }],
  appliedConditionalAccessPolicies: [
    { id: "P-DEDICATED", displayName: "CA900", result: "success" },
    { id: "p-other", displayName: "CA001", result: "notApplied" },
  ],
  ...o,
});
const readings = (o: Partial<DrillReadings> = {}): DrillReadings => ({
  signIns: [signIn()],
  keysAtFinish: [
    { methodId: "m1", aaGuid: "g1", lastUsedDateTime: "2026-11-01T10:05:10Z" },
    { methodId: "m2", aaGuid: "g2", lastUsedDateTime: null },
  ],
  alerts: [
    {
      id: "a1",
      properties: { essentials: { alertRule: "/rules/SIGNIN", startDateTime: "2026-11-01T10:09:00Z" } },
    },
  ],
  ...o,
});
const ctx = {
  key: { label: "k1a", methodId: "m1" },
  dedicatedPolicyIds: ["p-dedicated"],
  signInRuleIds: ["/rules/signin"],
  maxAlertDelayMs: 15 * 60_000,
  alertReceivedAt: "2026-11-01T10:10:00Z",
};
const statuses = (r: ReturnType<typeof drillEvidence>) =>
  Object.fromEntries(
    Object.entries(EVIDENCE).map(([k, name]) => [k, r.evidence.find((e) => e.item === name)?.status]),
  );

describe("drill evidence", () => {
  it("proves every item of a good drill", () => {
    const r = drillEvidence(record, FINISH, readings(), ctx);
    expect(statuses(r)).toEqual({
      signIn: "pass",
      fido2: "pass",
      key: "pass",
      policy: "pass",
      alert: "pass",
      confirmed: "pass",
    });
    expect(r.outcome).toBe("success");
  });
  it("fails a drill whose sign-in used the password", () => {
    const r = drillEvidence(
      record,
      FINISH,
      readings({
        signIns: [signIn({ authenticationDetails: [{ authenticationMethod: "Password", succeeded: true }] })],
      }),
      ctx,
    );
    expect(statuses(r).fido2).toBe("fail");
    expect(r.outcome).toBe("failure");
  });
  it("fails another key, and leaves the key unknown when two moved or none did", () => {
    const other = readings({
      keysAtFinish: [
        { methodId: "m1", lastUsedDateTime: "2026-08-01T00:00:00Z" },
        { methodId: "m2", lastUsedDateTime: "2026-11-01T10:05:00Z" },
      ],
    });
    expect(statuses(drillEvidence(record, FINISH, other, ctx)).key).toBe("fail");
    const both = readings({
      keysAtFinish: [
        { methodId: "m1", lastUsedDateTime: "2026-11-01T10:05:00Z" },
        { methodId: "m2", lastUsedDateTime: "2026-11-01T10:06:00Z" },
      ],
    });
    expect(statuses(drillEvidence(record, FINISH, both, ctx)).key).toBe("unknown");
    const none = readings({ keysAtFinish: record.keysAtStart });
    expect(statuses(drillEvidence(record, FINISH, none, ctx)).key).toBe("unknown");
  });
  it("fails when another policy applied, and when no alert fired in time", () => {
    const pol = readings({
      signIns: [
        signIn({
          appliedConditionalAccessPolicies: [
            { id: "p-dedicated", result: "success" },
            { id: "p-x", displayName: "CA001", result: "success" },
          ],
        }),
      ],
    });
    expect(statuses(drillEvidence(record, FINISH, pol, ctx)).policy).toBe("fail");
    const late = readings({
      alerts: [
        { properties: { essentials: { alertRule: "/rules/signin", startDateTime: "2026-11-01T10:40:00Z" } } },
      ],
    });
    expect(statuses(drillEvidence(record, FINISH, late, ctx)).alert).toBe("fail");
  });
  it("is unknown, never pass, on what could not be read", () => {
    const r = drillEvidence(
      record,
      FINISH,
      {
        signIns: { unreadable: "403" },
        keysAtFinish: { unreadable: "403" },
        alerts: { unreadable: "no workspace" },
      },
      { ...ctx, alertReceivedAt: undefined },
    );
    expect(Object.values(statuses(r))).toEqual([
      "unknown",
      "unknown",
      "unknown",
      "unknown",
      "unknown",
      "unknown",
    ]);
    expect(r.outcome).toBe("incomplete");
  });
  it("fails a window with no sign-in and ignores other accounts' sign-ins and those outside the window", () => {
    const r = drillEvidence(
      record,
      FINISH,
      readings({ signIns: [signIn({ userId: "u2" }), signIn({ createdDateTime: "2026-11-01T11:00:00Z" })] }),
      ctx,
    );
    expect(statuses(r).signIn).toBe("fail");
  });
});
