/** The pure rules of enroll (src/deploy/enroll.ts, resumeFrom): keys, lifetimes, cleanup order, resumption. */
import { describe, expect, it } from "vitest";
import {
  cleanup,
  passLifetime,
  passPolicyChange,
  reaches,
  verifyKeys,
  type KeyRules,
} from "../../src/deploy/enroll.js";
import { TenantUnreadableError } from "../../src/errors.js";
import { resumeFrom } from "../../src/deploy/enroll-run.js";
import type { AccessRecord } from "../../src/records/access.js";
import type { AuthenticationMethod } from "../../src/snapshot/schema.js";

const YUBI = "2fc0579f-8113-47ea-b116-bb5a8db9202a";
const FEITIAN = "ee041bce-25e5-4cdb-8f86-897fd6418464";
const key = (
  id: string,
  aaGuid: string,
  at: string,
  extra: Partial<AuthenticationMethod> = {},
): AuthenticationMethod => ({
  "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
  id,
  displayName: id,
  aaGuid,
  model: "m",
  attestationLevel: "attested",
  createdDateTime: at,
  ...extra,
});
const rules: KeyRules = { keys: 2, keyModels: [], keyModelsDistinct: true };

describe("enroll rules", () => {
  it("a pass lives as the profile asks, within the policy's bounds and Graph's 10-43200 minutes", () => {
    expect(passLifetime({ minimumLifetimeInMinutes: 60, maximumLifetimeInMinutes: 480 }, 30)).toBe(60);
    expect(passLifetime({ minimumLifetimeInMinutes: 60, maximumLifetimeInMinutes: 480 }, 600)).toBe(480);
    expect(passLifetime(undefined, 5)).toBe(10);
    expect(passLifetime({}, 90)).toBe(90);
  });

  it("keys: attested security keys of the listed models, two models when distinct", () => {
    const a = key("a", YUBI, "2026-12-02T09:01:00Z");
    const b = key("b", FEITIAN, "2026-12-02T09:02:00Z");
    expect(verifyKeys([b, a], rules)).toMatchObject({ complete: true, accepted: [a, b] });
    expect(verifyKeys([a, key("a2", YUBI, "2026-12-02T09:03:00Z")], rules).missing).toMatch(/second model/);
    expect(
      verifyKeys([a, key("a2", YUBI, "2026-12-02T09:03:00Z")], { ...rules, keyModelsDistinct: false })
        .complete,
    ).toBe(true);
    const synced = key("s", YUBI, "2026-12-02T09:03:00Z", { passkeyType: "synced" } as never);
    const unattested = key("u", FEITIAN, "2026-12-02T09:03:00Z", { attestationLevel: "notAttested" });
    const v = verifyKeys([a, synced, unattested], { ...rules, keyModels: [YUBI, FEITIAN] });
    expect(v.refused.map((r) => [r.key.id, r.reason.split(" ")[0]])).toEqual([
      ["s", "a"],
      ["u", "not"],
    ]);
    expect(verifyKeys([b], { ...rules, keys: 1, keyModels: [YUBI] }).refused[0]!.reason).toMatch(
      /not in profile.keyModels/,
    );
  });

  it("cleanup: older keys first, then the pass, then the rest with the mobile phone last; the password stays", () => {
    const since = "2026-12-02T09:00:00Z";
    const kept = [key("new1", YUBI, "2026-12-02T09:01:00Z"), key("new2", FEITIAN, "2026-12-02T09:02:00Z")];
    const methods = [
      {
        "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
        id: "3179e48a-750b-4051-897c-87b9720928f7",
        phoneType: "mobile",
        phoneNumber: "+1 5550100",
      },
      {
        "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
        id: "b6332ec1-7057-4abe-9331-3d72feddfe41",
        phoneType: "alternateMobile",
        phoneNumber: "+1 5550101",
      },
      { "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod", id: "tap" },
      { "@odata.type": "#microsoft.graph.passwordAuthenticationMethod", id: "pw" },
      { "@odata.type": "#microsoft.graph.x509CertificateAuthenticationMethod", id: "cert" },
      key("old", YUBI, "2026-11-01T09:00:00Z"),
      ...kept,
    ] as AuthenticationMethod[];
    const { removals, undeletable } = cleanup("u1", methods, kept, since);
    expect(removals.map((r) => r.method.id)).toEqual([
      "old",
      "tap",
      "b6332ec1-7057-4abe-9331-3d72feddfe41",
      "3179e48a-750b-4051-897c-87b9720928f7",
    ]);
    expect(removals[0]!.url).toBe("/v1.0/users/u1/authentication/fido2Methods/old");
    expect(undeletable.map((u) => u.method.id)).toEqual(["cert"]);
  });

  it("the pass reaches the account through all_users or one of its groups, unless excluded", () => {
    const tap = { state: "enabled", includeTargets: [{ id: "all_users" }], excludeTargets: [{ id: "g2" }] };
    expect(reaches(tap, "u", ["g1"])).toBe(true);
    expect(reaches(tap, "u", ["g2"])).toBe(false);
    expect(reaches({ ...tap, state: "disabled" }, "u", [])).toBe(false);
  });

  it("an enrollment resumes from the first record after the account's last success or failure", () => {
    const rec = (startedAt: string, outcome?: AccessRecord["outcome"]) =>
      ({ startedAt, ...(outcome ? { outcome } : {}) }) as AccessRecord;
    const records = [rec("T1", "success"), rec("T3"), rec("T2", "incomplete")];
    expect(resumeFrom(records)).toBe("T2");
    expect(resumeFrom([...records, rec("T4", "failure")])).toBeUndefined();
    expect(resumeFrom([rec("T1", "success")])).toBeUndefined();
  });

  it("the pass method's change keeps every other target, and a malformed configuration is unreadable, not guessed at", () => {
    const tap = {
      "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
      id: "TemporaryAccessPass",
      state: "enabled",
      includeTargets: [{ id: "g1", targetType: "group", isRegistrationRequired: false }],
    };
    expect(passPolicyChange(tap, "g9")).toEqual({
      "@odata.type": tap["@odata.type"],
      includeTargets: [
        ...tap.includeTargets,
        { id: "g9", targetType: "group", isRegistrationRequired: false },
      ],
    });
    expect(passPolicyChange({ ...tap, includeTargets: [...tap.includeTargets, { id: "g9" }] }, "g9")).toBe(
      undefined,
    );
    expect(() => passPolicyChange({ ...tap, includeTargets: [{ targetType: "group" }] }, "g9")).toThrow(
      TenantUnreadableError,
    );
  });
});
