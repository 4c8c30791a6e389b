/**
 * An existing setup is repaired, not rebuilt: good.json plans no change, and each fault deploy
 * governs, planted alone on a copy, yields exactly the one step that fixes it.
 */
import { describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { clone, plan, sample } from "./support.js";

const good = sample("good");
type Json = Record<string, any>;

const user = (s: Snapshot, local: string): Json =>
  s.users!.find((u) => u.userPrincipalName?.startsWith(`${local}@`)) as Json;
const policy = (s: Snapshot, prefix: string): Json =>
  s.conditionalAccessPolicies!.find((p) => p.displayName?.startsWith(prefix)) as Json;
const methodConfig = (s: Snapshot, id: string): Json =>
  (s.authenticationMethodsPolicy!.authenticationMethodConfigurations as Json[]).find((c) => c.id === id)!;

interface Fault {
  name: string;
  plant(s: Snapshot): void;
  step: string;
  action: "create" | "update" | "destroy";
  request: { method: string; url: RegExp };
  satisfies: string;
  body?: unknown;
}

const FAULTS: Fault[] = [
  {
    name: "a password that expires",
    plant: (s) => void (user(s, "zt4p9w").passwordPolicies = null),
    step: "accounts.zt4p9w",
    action: "update",
    request: { method: "PATCH", url: /^\/v1\.0\/users\/[0-9a-f-]+$/ },
    satisfies: "EA-ACC-05",
    body: { passwordPolicies: "DisablePasswordExpiration" },
  },
  {
    name: "a licence",
    plant: (s) =>
      void (user(s, "zt4p9w").assignedLicenses = [
        { skuId: "06ebc4ee-1bb5-47dd-8120-11324bc54e06", disabledPlans: [] },
      ]),
    step: "accounts.zt4p9w.licences",
    action: "destroy",
    request: { method: "POST", url: /\/assignLicense$/ },
    satisfies: "EA-ACC-07",
    body: { addLicenses: [], removeLicenses: ["06ebc4ee-1bb5-47dd-8120-11324bc54e06"] },
  },
  {
    name: "a phishable method",
    plant: (s) =>
      void user(s, "mq8r3x").authenticationMethods.push({
        "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
        id: "3179e48a-750b-4051-897c-87b9720928f7",
        phoneNumber: "+31 6 12345678",
        phoneType: "mobile",
      }),
    step: "methods.mq8r3x.phone-3179e48a",
    action: "destroy",
    request: {
      method: "DELETE",
      url: /\/authentication\/phoneMethods\/3179e48a-750b-4051-897c-87b9720928f7$/,
    },
    satisfies: "EA-AUTH-03",
  },
  {
    name: "a usable Temporary Access Pass",
    plant: (s) =>
      void user(s, "zt4p9w").authenticationMethods.push({
        "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
        id: "6f1e0a4c-1111-4b2a-9c3d-4e5f60718293",
        isUsable: true,
        isUsableOnce: true,
        lifetimeInMinutes: 60,
        startDateTime: "2026-11-01T09:30:00Z",
      }),
    step: "methods.zt4p9w.temporaryaccesspass-6f1e0a4c",
    action: "destroy",
    request: { method: "DELETE", url: /\/temporaryAccessPassMethods\/6f1e0a4c-1111-4b2a-9c3d-4e5f60718293$/ },
    satisfies: "EA-AUTH-08",
  },
  {
    name: "per-user MFA on",
    plant: (s) => void (user(s, "zt4p9w").perUserMfaState = "enforced"),
    step: "methods.zt4p9w.per-user-mfa",
    action: "update",
    request: { method: "PATCH", url: /^\/beta\/users\/[0-9a-f-]+\/authentication\/requirements$/ },
    satisfies: "EA-AUTH-06",
    body: { perUserMfaState: "disabled" },
  },
  {
    name: "an extra member of the group",
    plant: (s) => {
      const g = s.groups!.find((x) => x.displayName === "GRP-CORE-7F3A")! as Json;
      g.members.push({
        "@odata.type": "#microsoft.graph.user",
        id: s.users!.find((u) => u.userPrincipalName?.startsWith("adm-"))!.id,
      });
    },
    step: "group.grp-core-7f3a.member.",
    action: "destroy",
    request: { method: "DELETE", url: /^\/v1\.0\/groups\/[0-9a-f-]+\/members\/[0-9a-f-]+\/\$ref$/ },
    satisfies: "EA-ROLE-03",
  },
  {
    name: "the dedicated policy report-only",
    plant: (s) => void (policy(s, "CA000").state = "enabledForReportingButNotEnforced"),
    step: "activate.ca000-emergency-access-require-hardware",
    action: "update",
    request: { method: "PATCH", url: /^\/v1\.0\/identity\/conditionalAccess\/policies\/[0-9a-f-]+$/ },
    satisfies: "EA-CA-02",
    body: { state: "enabled" },
  },
  {
    name: "the dedicated policy with weak session controls",
    plant: (s) =>
      void (policy(s, "CA000").sessionControls.persistentBrowser = { isEnabled: true, mode: "always" }),
    step: "policy.ca000-emergency-access-require-hardware",
    action: "update",
    request: { method: "PATCH", url: /^\/v1\.0\/identity\/conditionalAccess\/policies\/[0-9a-f-]+$/ },
    satisfies: "EA-CA-04",
    body: { sessionControls: { persistentBrowser: { isEnabled: true, mode: "never" } } },
  },
  {
    name: "a phishable combination in the strength",
    plant: (s) =>
      void (s.authenticationStrengthPolicies!.find(
        (x) => x.displayName === "Emergency Access",
      )!.allowedCombinations = ["fido2", "password,sms"]),
    step: "strength.emergency-access.combinations",
    action: "update",
    request: { method: "POST", url: /\/updateAllowedCombinations$/ },
    satisfies: "EA-CA-03",
    body: { allowedCombinations: ["fido2"] },
  },
  {
    name: "a policy missing the exclusion",
    plant: (s) => void (policy(s, "CA001").conditions.users.excludeGroups = []),
    step: "exclusions.ca001-all-users-require-mfa",
    action: "update",
    request: { method: "PATCH", url: /^\/v1\.0\/identity\/conditionalAccess\/policies\/[0-9a-f-]+$/ },
    satisfies: "EA-CA-01",
  },
  {
    name: "FIDO2 off in the methods policy",
    plant: (s) => void (methodConfig(s, "Fido2").state = "disabled"),
    step: "methods.fido2",
    action: "update",
    request: { method: "PATCH", url: /authenticationMethodConfigurations\/Fido2$/ },
    satisfies: "EA-AUTH-05",
  },
];

describe("repairing an existing setup", () => {
  it("plans no change on the good sample", () => {
    expect(plan(good.snapshot, good.config)).toEqual([]);
  });

  it.each(FAULTS)("$name: exactly the step that fixes it", (fault) => {
    const s = clone(good.snapshot);
    fault.plant(s);
    const steps = plan(s, good.config);
    expect(steps).toHaveLength(1);
    const [step] = steps;
    expect(step!.id.startsWith(fault.step)).toBe(true);
    expect(step!.action).toBe(fault.action);
    expect(step!.waiting).toBeUndefined();
    expect(step!.request.method).toBe(fault.request.method);
    expect(step!.request.url).toMatch(fault.request.url);
    expect(step!.satisfies).toContain(fault.satisfies);
    if (fault.body !== undefined) expect(step!.request.body).toEqual(fault.body);
  });

  it("sends every other entry of a policy's users back as read when it adds the exclusion", () => {
    const s = clone(good.snapshot);
    const ca = policy(s, "CA001");
    ca.conditions.users.excludeGroups = ["11111111-2222-3333-4444-555555555555"];
    ca.conditions.users.excludeUsers = ["66666666-7777-8888-9999-000000000000"];
    const [step] = plan(s, good.config);
    const users = (step!.request.body as Json).conditions.users;
    expect(users.excludeUsers).toEqual(["66666666-7777-8888-9999-000000000000"]);
    expect(users.includeUsers).toEqual(["All"]);
    expect(users.excludeGroups).toEqual([
      "11111111-2222-3333-4444-555555555555",
      "ab45a805-0899-4c20-823e-676c53a97511",
    ]);
    expect(step!.changes).toEqual([
      {
        property: "conditions.users.excludeGroups",
        old: ["11111111-2222-3333-4444-555555555555"],
        new: ["11111111-2222-3333-4444-555555555555", "ab45a805-0899-4c20-823e-676c53a97511"],
      },
    ]);
  });
});
