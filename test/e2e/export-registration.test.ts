/**
 * Issue #9 item 2: export reads the registration report once and reads one by one only the everyday
 * admins whose registered methods could match the emergency accounts'. Through the HTTPS emulator
 * and the real client stack, on the mid-size sample: fewer reports-family reads, the same EA-AUTH-04
 * verdict (and the same assess report) as when every admin's methods are read, and a fallback to
 * reading every admin when the report is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CountersSnapshot, RunningEmulator } from "../../emulator/index.js";
import { applicationPermissions } from "../../src/collect/permissions.js";
import { relationshipSubjects } from "../../src/collect/subjects.js";
import { assess } from "../../src/checks/registry.js";
import type { Config } from "../../src/config/schema.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { emulate, exportFrom, fixtureConfig, loadFixture } from "./helpers.js";

const METHODS = "GET /users/{id}/authentication/methods";
const REPORT = "GET /reports/authenticationMethods/userRegistrationDetails";

/** Requests by endpoint, each read inside a `$batch` counted. */
const count = (c: CountersSnapshot, endpoint: string) =>
  Object.values(c.requests.byEndpoint[endpoint] ?? {}).reduce((a, b) => a + b, 0);

/** Every check's status and its findings' statuses by subject: what a report says. */
function verdicts(snapshot: Snapshot, config: Config) {
  return Object.fromEntries(
    assess(snapshot, config).map((r) => [
      r.id,
      {
        status: r.status,
        findings: r.findings.map((f) => `${f.subject?.id ?? "-"}:${f.status}`).sort(),
      },
    ]),
  );
}

describe("export pre-filters the everyday admins with the registration report (mid-size sample)", () => {
  let sample: Snapshot;
  let config: Config;
  let emu: RunningEmulator;
  let admins: string[];
  beforeAll(async () => {
    sample = await loadFixture("midsize");
    config = await fixtureConfig("midsize");
    admins = relationshipSubjects(sample, config).methodsOnly;
    emu = await emulate(sample);
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("reads the report once and only the admins who could share a method, with the same verdicts", async () => {
    emu.resetCounters();
    const { snapshot } = await exportFrom(emu, { config });
    const counters = emu.counters();
    expect(count(counters, REPORT)).toBe(1);
    // 2 accounts + the admins whose row shows a passkey, a phone or Authenticator (the accounts hold
    // FIDO2 keys and a passkey in Authenticator); the 4 admins who registered nothing are not read
    const skipped = (snapshot.registrationDetails ?? []).map((r) => r.id.toLowerCase());
    expect(admins.length).toBe(11);
    expect(skipped).toHaveLength(4);
    expect(count(counters, METHODS)).toBe(2 + admins.length - skipped.length);
    for (const id of skipped) {
      expect(admins).toContain(id);
      const u = snapshot.users!.find((x) => x.id.toLowerCase() === id)!;
      expect(u.authenticationMethods).toBeUndefined();
    }
    expect(snapshot.unavailable ?? {}).toEqual({});

    // the sample holds every admin's methods: what export read before this pre-filter
    const before = verdicts(sample, config);
    const after = verdicts(snapshot, config);
    expect(after["EA-AUTH-04"]).toEqual(before["EA-AUTH-04"]);
    expect(after["EA-AUTH-04"]!.status).toBe("fail"); // an admin's Authenticator shares the account's phone
    expect(after).toEqual(before);
  });

  it("follows the report's pages (Graph chooses their size)", async () => {
    const tenant = structuredClone(sample);
    for (let i = 0; i < 1000; i++)
      tenant.users!.push({
        id: `0f0f0f0f-0000-4000-a000-${String(i).padStart(12, "0")}`,
        userPrincipalName: `filler${i}@fabrikamind.onmicrosoft.com`,
        accountEnabled: true,
        authenticationMethods: [],
      });
    const other = await emulate(tenant);
    try {
      const { snapshot } = await exportFrom(other, { config });
      expect(count(other.counters(), REPORT)).toBe(2);
      expect(snapshot.registrationDetails).toHaveLength(4);
      expect(count(other.counters(), METHODS)).toBe(2 + admins.length - 4);
    } finally {
      await other.close();
    }
  });

  it("reads every admin's methods, as before, when the report is refused (no AuditLog.Read.All)", async () => {
    const secret = "no-audit-secret";
    const app = emu.registerApp({
      secret,
      graphPermissions: applicationPermissions("export").filter((p) => p !== "AuditLog.Read.All"),
      arm: { subscriptions: "*", aadiam: true },
    });
    emu.resetCounters();
    const { snapshot } = await exportFrom(emu, { clientId: app.clientId, secret, config });
    const counters = emu.counters();
    expect(count(counters, METHODS)).toBe(2 + admins.length);
    expect(snapshot.registrationDetails).toBeUndefined();
    expect(snapshot.unavailable?.registrationDetails).toBe("403 Forbidden: AuditLog.Read.All not granted");
    for (const id of admins)
      expect(snapshot.users!.find((x) => x.id.toLowerCase() === id)!.authenticationMethods).toBeDefined();
    expect(verdicts(snapshot, config)["EA-AUTH-04"]).toEqual(verdicts(sample, config)["EA-AUTH-04"]);
  });

  it("reads an admin whose row shows a phone only once an account holds a phone", async () => {
    for (const accountHasPhone of [false, true]) {
      const tenant = structuredClone(sample);
      if (accountHasPhone) {
        const account = tenant.users!.find((u) => u.userPrincipalName === config.accounts![0])!;
        account.authenticationMethods!.push({
          "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
          id: "3179e48a-750b-4051-897c-87b9720928f7",
          phoneNumber: "+49 174 0000000",
          phoneType: "mobile",
        });
      }
      // an admin with only a phone: nothing to share with key-only accounts, maybe a number with a phone
      const phoneOnly = tenant.users!.find((u) => u.id.toLowerCase() === admins[0])!;
      phoneOnly.authenticationMethods = [
        {
          "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
          id: "3179e48a-750b-4051-897c-87b9720928f7",
          phoneNumber: "+49 174 0000001",
          phoneType: "mobile",
        },
      ];
      const other = await emulate(tenant);
      try {
        const { snapshot } = await exportFrom(other, { config });
        const skipped = (snapshot.registrationDetails ?? []).map((r) => r.id.toLowerCase());
        const read = snapshot.users!.find((x) => x.id.toLowerCase() === admins[0])!.authenticationMethods;
        if (accountHasPhone) {
          expect(skipped).not.toContain(admins[0]);
          expect(read).toHaveLength(1);
        } else {
          expect(skipped).toContain(admins[0]);
          expect(read).toBeUndefined();
        }
        expect(verdicts(snapshot, config)).toEqual(verdicts(tenant, config));
      } finally {
        await other.close();
      }
    }
  });
});
