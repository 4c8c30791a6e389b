/**
 * The check library's grading helpers (src/checks/lib): one rule for the finding of a graded subject,
 * one reading of a users condition, whatever shape a malformed policy gives it.
 */
import { describe, expect, it } from "vitest";
import { gradeFinding, userLists } from "../../src/checks/lib/index.js";
import type { Remediation, Subject } from "../../src/checks/types.js";

const subject: Subject = { type: "user", id: "u1", displayName: "bg1@contoso.com" };
const evidence = { ageDays: 10 };
const remediation: Remediation = { summary: "fix it" };
const graded = { subject, evidence, remediation };

describe("gradeFinding", () => {
  it("takes the first verdict whose rule holds, in order", () => {
    const f = gradeFinding(
      graded,
      [false, { status: "warn", message: "second" }, { status: "fail", message: "third" }],
      { status: "pass", message: "fine" },
    );
    expect(f).toEqual({ status: "warn", subject, message: "second", evidence, remediation });
  });
  it("falls back to `otherwise` when no rule holds; a pass carries no remediation", () => {
    const f = gradeFinding(graded, [false, undefined], { status: "pass", message: "fine" });
    expect(f).toEqual({ status: "pass", subject, message: "fine", evidence });
    expect(Object.keys(f)).toEqual(["status", "subject", "message", "evidence"]);
  });
  it("gives the remediation to fail and warn only: an unknown is fixed by reading the data", () => {
    const unknown = gradeFinding(graded, [{ status: "unknown", message: "?" }], {
      status: "pass",
      message: "",
    });
    expect(unknown.remediation).toBeUndefined();
    const fail = gradeFinding(graded, [], { status: "fail", message: "no" });
    expect(Object.keys(fail)).toEqual(["status", "subject", "message", "evidence", "remediation"]);
  });
});

describe("userLists", () => {
  it("reads each list of a users condition as written, and whether guests are named", () => {
    const u = userLists({
      includeUsers: ["All"],
      excludeGroups: ["G1", "g2"],
      excludeRoles: ["r1"],
      excludeGuestsOrExternalUsers: { guestOrExternalUserTypes: "b2bCollaborationGuest" },
    });
    expect(u).toEqual({
      includeUsers: ["All"],
      excludeUsers: [],
      includeGroups: [],
      excludeGroups: ["G1", "g2"],
      includeRoles: [],
      excludeRoles: ["r1"],
      includesGuests: false,
      excludesGuests: true,
    });
  });
  it("reads a malformed condition as naming nothing it cannot read", () => {
    const none = {
      includeUsers: [],
      excludeUsers: [],
      includeGroups: [],
      excludeGroups: [],
      includeRoles: [],
      excludeRoles: [],
      includesGuests: false,
      excludesGuests: false,
    };
    for (const users of [null, undefined, "All", 7, ["u1"]]) expect(userLists(users)).toEqual(none);
    expect(userLists({ includeUsers: "u1", includeGroups: [1, "g1", null] }).includeGroups).toEqual(["g1"]);
    expect(userLists({ includeUsers: "u1" }).includeUsers).toEqual([]);
  });
});
