/**
 * Accepted findings in the core (docs/config.md "accept"): the runner turns a matching fail, warn
 * or unknown finding into `accepted` through the expiry day (UTC), and back once the day has passed;
 * the warnings name entries that match nothing or expired; the verdict never counts an accepted check.
 */
import { describe, expect, it } from "vitest";
import { acceptanceWarnings, expiryInstant } from "../../src/checks/accept.js";
import { Fingerprinter } from "../../src/checks/fingerprint.js";
import { runCheck } from "../../src/checks/runner.js";
import type { Check, CheckContext, Finding } from "../../src/checks/types.js";
import { Config } from "../../src/config/schema.js";
import { decideVerdict } from "../../src/report/verdict.js";
import type { Snapshot } from "../../src/snapshot/schema.js";

const TENANT = "00000000-0000-4000-8000-000000000001";

const stub = (findings: Finding[]): Check => ({
  id: "EA-ACC-07",
  title: "stand-in",
  severity: "high",
  sources: [],
  needs: [],
  evaluate: () => findings,
});

const user = (id: string) => ({ type: "user" as const, id, displayName: id.toUpperCase() });

function context(accept: unknown[], at: string): CheckContext {
  const config = Config.parse({ accept });
  return {
    snapshot: { tenant: { id: TENANT, capturedAt: "2026-11-01T10:00:00Z" } } as unknown as Snapshot,
    directory: undefined as never,
    config,
    accounts: { method: "config", resolved: [], unresolved: [] },
    now: new Date("2026-11-01T10:00:00Z"),
    acceptAt: new Date(at),
  };
}

const entry = {
  check: "EA-ACC-07",
  subject: "u1",
  reason: "licence needed for the SIEM connector",
  expires: "2026-12-31",
};

describe("accept", () => {
  const findings: Finding[] = [
    { status: "fail", subject: user("u1"), message: "u1 holds a licence" },
    { status: "pass", subject: user("u2"), message: "u2 holds none" },
  ];

  it("accepts a matching finding through the expiry day: listed, the check accepted, not blocking", () => {
    const result = runCheck(stub(findings), context([entry], "2026-12-31T23:59:59Z"));
    expect(result.status).toBe("accepted");
    expect(result.findings[0]).toMatchObject({
      status: "accepted",
      acceptance: {
        entry: 0,
        reason: entry.reason,
        expires: "2026-12-31",
        expired: false,
        findingStatus: "fail",
      },
    });
    expect(result.findings[1]!.status).toBe("pass");
    const verdict = decideVerdict([{ ...result, reason: null }], { failOn: "high", allowUnknown: false });
    expect(verdict.failed).toBe(false);
    expect(acceptanceWarnings([entry], [result], new Date("2026-12-31T23:59:59Z"))).toEqual([]);
  });

  it("fails again from the day after, the finding marked expired, and warns", () => {
    const at = new Date("2027-01-01T00:00:00Z");
    expect(expiryInstant("2026-12-31")).toEqual(at);
    const result = runCheck(stub(findings), context([entry], at.toISOString()));
    expect(result.status).toBe("fail");
    expect(result.findings[0]).toMatchObject({
      status: "fail",
      acceptance: { expired: true, findingStatus: "fail" },
    });
    const verdict = decideVerdict([{ ...result, reason: null }], { failOn: "high", allowUnknown: false });
    expect(verdict).toMatchObject({ failed: true, blocking: ["EA-ACC-07"] });
    expect(acceptanceWarnings([entry], [result], at)).toEqual([
      "accept[0] (EA-ACC-07, subject u1): expired on 2026-12-31; its finding counts again: renew it or remove it",
    ]);
  });

  it("matches one finding by its fingerprint, the one SARIF gives it", () => {
    const two: Finding[] = [
      { status: "fail", subject: user("u1"), message: "first policy" },
      { status: "fail", subject: user("u1"), message: "second policy" },
    ];
    const fp = new Fingerprinter("EA-ACC-07");
    fp.next(user("u1"));
    const second = fp.next(user("u1"));
    expect(second).toMatch(/^[0-9a-f]{32}:2$/);
    const byFingerprint = { check: "EA-ACC-07", fingerprint: second, reason: "known", expires: "2026-12-31" };
    const result = runCheck(stub(two), context([byFingerprint], "2026-11-01T10:00:00Z"));
    expect(result.findings.map((f) => f.status)).toEqual(["fail", "accepted"]);
    expect(result.findings.map((f) => f.fingerprint)).toEqual([second.replace(/:2$/, ""), second]);
    expect(result.status).toBe("fail");
  });

  it("never accepts an error or a pass, and warns about an entry that matches nothing", () => {
    const result = runCheck(
      stub([{ status: "pass", subject: user("u1"), message: "fine" }]),
      context([entry, { ...entry, check: "EA-ACC-08" }], "2026-11-01T10:00:00Z"),
    );
    expect(result.status).toBe("pass");
    expect(result.findings[0]!.acceptance).toBeUndefined();
    const warnings = acceptanceWarnings([entry], [result], new Date("2026-11-01T10:00:00Z"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      "accept[0] (EA-ACC-07, subject u1): matches no fail, warn or unknown finding",
    );
  });

  it.each([
    [{ ...entry, check: "ACC-07" }, "accept.0.check: a check id such as EA-ACC-01"],
    [{ ...entry, expires: "2026-02-30" }, "not a calendar date"],
    [{ ...entry, expires: "31/12/2026" }, "a date YYYY-MM-DD"],
    [{ ...entry, reason: " " }, "say why the finding is accepted"],
    [{ check: "EA-ACC-07", subject: "u1", expires: "2026-12-31" }, "reason"],
    [{ check: "EA-ACC-07", reason: "r", expires: "2026-12-31" }, "exactly one of them"],
    [{ ...entry, expires: undefined }, "expires"],
  ])("refuses a malformed entry %#", (bad, said) => {
    const parsed = Config.safeParse({ accept: [bad] });
    expect(parsed.success).toBe(false);
    const text = parsed.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n");
    expect(text).toContain(said);
    expect(parsed.error!.issues[0]!.path.slice(0, 2)).toEqual(["accept", 0]);
  });
});
