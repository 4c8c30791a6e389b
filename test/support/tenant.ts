/**
 * A synthetic tenant for tests: valid snapshot v1 documents in Graph shapes, built step by step.
 *
 *   const t = goodTenant();                 // two well-built emergency accounts, group, GA, keys
 *   t.user("k7q2m").accountEnabled = false;  // objects are plain Graph JSON: mutate them
 *   t.unavailable("users[<id>].authenticationMethods", "429 after 6 retries");
 *   const result = runOn(check, t.build(), t.config);
 *
 * Ids are deterministic GUIDs (`t.newId()`), so findings and snapshots are stable across runs.
 */
import { buildCheckContext } from "../../src/checks/registry.js";
import { runCheck } from "../../src/checks/runner.js";
import type { Check, CheckContext, CheckResult } from "../../src/checks/types.js";
import type { CheckRecords } from "../../src/records/check-records.js";
import { Config } from "../../src/config/schema.js";
import { GLOBAL_ADMINISTRATOR, ROLE_TEMPLATES } from "../../src/snapshot/directory.js";
import { parseSnapshot } from "../../src/snapshot/load.js";
import type { Snapshot } from "../../src/snapshot/schema.js";

export const GA = GLOBAL_ADMINISTRATOR;
export { ROLE_TEMPLATES };

/** FIDO2 authenticators by AAGUID, as Graph reports them. */
export const KEYS = {
  yubikey5Nfc: { aaGuid: "2fc0579f-8113-47ea-b116-bb5a8db9202a", model: "YubiKey 5 Series with NFC" },
  yubikeyBio: { aaGuid: "d8522d9f-575b-4866-88a9-ba99fa02f35b", model: "YubiKey Bio Series - FIDO Edition" },
  feitianBioPass: {
    aaGuid: "77010bd7-212a-4fc9-b236-d2ca5e9d4084",
    model: "Feitian BioPass FIDO2 Authenticator",
  },
  authenticatorIos: {
    aaGuid: "90a3ccdf-635c-4729-a248-9b709135078f",
    model: "Microsoft Authenticator - iOS",
  },
  authenticatorAndroid: {
    aaGuid: "de1e552d-db1d-4423-a619-566b625cdc84",
    model: "Microsoft Authenticator - Android",
  },
  iCloudKeychain: { aaGuid: "dd4ec289-e01d-41c9-bb89-70fa845d4bf2", model: "iCloud Keychain (Managed)" },
  unknownModel: { aaGuid: "00000000-1111-2222-3333-444444444444", model: "Mystery Key" },
} as const;
export type KeyModel = { aaGuid: string; model: string };

/** Skus with their service plans (licence awareness: P1, P2). */
export const SKUS = {
  P2: {
    skuId: "84a661c4-e949-4bd2-a560-ed7766fcaf2b",
    skuPartNumber: "AAD_PREMIUM_P2",
    servicePlans: [
      { servicePlanName: "AAD_PREMIUM", servicePlanId: "41781fb2-bc02-4b7c-bd55-b576c07bb09d" },
      { servicePlanName: "AAD_PREMIUM_P2", servicePlanId: "eec0eb4f-6444-4f95-aba0-50c24d67f998" },
    ],
  },
  P1: {
    skuId: "078d2b04-f1bd-4111-bbd4-b4b1b354cef4",
    skuPartNumber: "AAD_PREMIUM",
    servicePlans: [{ servicePlanName: "AAD_PREMIUM", servicePlanId: "41781fb2-bc02-4b7c-bd55-b576c07bb09d" }],
  },
  E3: {
    skuId: "05e9a617-0261-4cee-bb44-138d3ef5d965",
    skuPartNumber: "SPE_E3",
    servicePlans: [
      { servicePlanName: "EXCHANGE_S_ENTERPRISE", servicePlanId: "efb87545-963c-4e0d-99df-69c6916d9eb0" },
    ],
  },
} as const;

export type Json = Record<string, any>;
export type Licence = "free" | "P1" | "P2";

export interface TenantOptions {
  capturedAt?: string;
  licence?: Licence;
  /** the tenant's initial domain (its *.onmicrosoft.com). */
  initialDomain?: string;
  /** a custom domain, default and managed unless `federated`. */
  customDomain?: string;
  federated?: boolean;
}

export class TenantBuilder {
  readonly doc: Json;
  /** the config the test runs with; tests change it freely. */
  config: Json = {};
  private counter = 0;
  readonly initialDomain: string;
  readonly customDomain: string;

  constructor(opts: TenantOptions = {}) {
    this.initialDomain = opts.initialDomain ?? "contoso.onmicrosoft.com";
    this.customDomain = opts.customDomain ?? "contoso.com";
    const licence = opts.licence ?? "P2";
    this.doc = {
      schema: "breakglass.snapshot/v1",
      tenant: {
        id: "11111111-2222-4333-8444-555555555555",
        displayName: "Contoso",
        capturedAt: opts.capturedAt ?? "2026-11-01T10:00:00Z",
      },
      organization: [
        { id: "11111111-2222-4333-8444-555555555555", displayName: "Contoso", onPremisesSyncEnabled: null },
      ],
      subscribedSkus: licence === "free" ? [] : [structuredClone(SKUS[licence])],
      domains: [
        {
          id: this.initialDomain,
          isDefault: false,
          isInitial: true,
          authenticationType: "Managed",
          passwordValidityPeriodInDays: 90,
        },
        {
          id: this.customDomain,
          isDefault: true,
          isInitial: false,
          authenticationType: opts.federated ? "Federated" : "Managed",
          passwordValidityPeriodInDays: 90,
        },
      ],
      users: [],
      deletedUsers: [],
      riskyUsers: [],
      groups: [],
      administrativeUnits: [],
      roleDefinitions: [],
      roleAssignments: [],
      roleAssignmentSchedules: [],
      roleEligibilitySchedules: [],
      roleManagementPolicyAssignments: [],
      privilegedAccessGroupAssignmentSchedules: [],
      privilegedAccessGroupEligibilitySchedules: [],
      conditionalAccessPolicies: [],
      namedLocations: [],
      authenticationStrengthPolicies: [],
      authenticationMethodsPolicy: {
        id: "authenticationMethodsPolicy",
        registrationEnforcement: {
          authenticationMethodsRegistrationCampaign: {
            snoozeDurationInDays: 1,
            state: "disabled",
            excludeTargets: [],
            includeTargets: [
              {
                id: "all_users",
                targetType: "group",
                targetedAuthenticationMethod: "microsoftAuthenticator",
              },
            ],
          },
        },
        authenticationMethodConfigurations: [
          {
            "@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration",
            id: "Fido2",
            state: "enabled",
            isSelfServiceRegistrationAllowed: true,
            isAttestationEnforced: true,
            keyRestrictions: { isEnforced: false, enforcementType: "block", aaGuids: [] },
            includeTargets: [{ targetType: "group", id: "all_users", isRegistrationRequired: false }],
            excludeTargets: [],
          },
          {
            "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration",
            id: "MicrosoftAuthenticator",
            state: "enabled",
            includeTargets: [
              {
                targetType: "group",
                id: "all_users",
                isRegistrationRequired: false,
                authenticationMode: "any",
              },
            ],
            excludeTargets: [],
          },
        ],
      },
      authorizationPolicy: { id: "authorizationPolicy", allowedToUseSSPR: false },
      securityDefaults: { id: "00000000-0000-0000-0000-000000000005", isEnabled: false },
      accessReviewDefinitions: [],
      lifecycleWorkflows: [],
      signIns: [],
      directoryAudits: [],
    };
  }

  /** A fresh deterministic GUID. */
  newId(): string {
    this.counter += 1;
    return `0000${this.counter.toString(16).padStart(4, "0")}-0000-4000-8000-${this.counter.toString(16).padStart(12, "0")}`;
  }

  /** The user with this UPN local part, UPN or id (throws when absent: a test bug). */
  user(ref: string): Json {
    const r = ref.toLowerCase();
    const u = this.doc.users.find(
      (x: Json) =>
        x.id.toLowerCase() === r ||
        (x.userPrincipalName ?? "").toLowerCase() === r ||
        (x.userPrincipalName ?? "").toLowerCase().startsWith(`${r}@`),
    );
    if (!u) throw new Error(`test tenant has no user ${ref}`);
    return u;
  }

  group(ref: string): Json {
    const g = this.doc.groups.find((x: Json) => x.id === ref || x.displayName === ref);
    if (!g) throw new Error(`test tenant has no group ${ref}`);
    return g;
  }

  /** A cloud-only member user; `name` is the UPN's local part (on the initial domain unless `upn` given). */
  addUser(name: string, props: Json = {}): Json {
    const id = props.id ?? this.newId();
    const upn = props.userPrincipalName ?? `${name}@${this.initialDomain}`;
    const user: Json = {
      id,
      userPrincipalName: upn,
      displayName: name,
      mailNickname: name,
      mail: null,
      accountEnabled: true,
      userType: "Member",
      identities: [{ signInType: "userPrincipalName", issuer: upn.split("@")[1], issuerAssignedId: upn }],
      onPremisesSyncEnabled: null,
      onPremisesImmutableId: null,
      passwordPolicies: null,
      lastPasswordChangeDateTime: "2026-06-01T08:00:00Z",
      createdDateTime: "2025-01-10T08:00:00Z",
      assignedLicenses: [],
      mobilePhone: null,
      otherMails: [],
      authenticationMethods: [
        {
          "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
          id: "28c10230-6103-485e-b985-444c60001490",
          password: null,
        },
      ],
      perUserMfaState: "disabled",
      ownedObjects: [],
      ...props,
    };
    this.doc.users.push(user);
    return user;
  }

  addGroup(displayName: string, props: Json = {}, memberIds: string[] = []): Json {
    const group: Json = {
      id: props.id ?? this.newId(),
      displayName,
      description: null,
      securityEnabled: true,
      mailEnabled: false,
      groupTypes: [],
      membershipRule: null,
      isAssignableToRole: false,
      members: [],
      owners: [],
      ...props,
    };
    this.doc.groups.push(group);
    for (const m of memberIds) this.addMember(group.id, m);
    return group;
  }

  /** Adds a direct member (a user or a group of this tenant). */
  addMember(groupId: string, memberId: string): this {
    const group = this.group(groupId);
    const isGroup = this.doc.groups.some((g: Json) => g.id === memberId);
    group.members.push({
      "@odata.type": isGroup ? "#microsoft.graph.group" : "#microsoft.graph.user",
      id: memberId,
    });
    return this;
  }

  /**
   * A directory role for a user or group at scope `/`: active (roleAssignments + an assignment
   * schedule) or eligible (an eligibility schedule); permanent unless `endDateTime` is given.
   */
  assignRole(
    principalId: string,
    roleTemplateId: string = GA,
    opts: { eligible?: boolean; endDateTime?: string; scope?: string; withoutSchedule?: boolean } = {},
  ): this {
    const id = `${this.newId()}-ra`;
    const scheduleInfo = {
      startDateTime: "2025-01-10T08:00:00Z",
      recurrence: null,
      expiration: opts.endDateTime
        ? { type: "afterDateTime", endDateTime: opts.endDateTime, duration: null }
        : { type: "noExpiration", endDateTime: null, duration: null },
    };
    const base = { principalId, roleDefinitionId: roleTemplateId, directoryScopeId: opts.scope ?? "/" };
    if (opts.eligible) {
      this.doc.roleEligibilitySchedules.push({
        id,
        ...base,
        status: "Provisioned",
        memberType: "Direct",
        scheduleInfo,
      });
    } else {
      this.doc.roleAssignments.push({ id, ...base });
      if (!opts.withoutSchedule)
        this.doc.roleAssignmentSchedules.push({
          id,
          ...base,
          status: "Provisioned",
          assignmentType: "Assigned",
          memberType: "Direct",
          scheduleInfo,
        });
    }
    return this;
  }

  /** A FIDO2 key on a user (attested unless said otherwise). */
  addKey(userId: string, key: KeyModel = KEYS.yubikey5Nfc, attestationLevel = "attested"): Json {
    const method = {
      "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
      id: this.newId(),
      displayName: key.model,
      createdDateTime: "2025-01-11T08:00:00Z",
      aaGuid: key.aaGuid,
      model: key.model,
      attestationCertificates: [],
      attestationLevel,
    };
    return this.addMethod(userId, method);
  }

  addMethod(userId: string, method: Json): Json {
    const user = this.user(userId);
    user.authenticationMethods = [...(user.authenticationMethods ?? []), { id: this.newId(), ...method }];
    return method;
  }

  removeMethods(userId: string, odataType: string): this {
    const user = this.user(userId);
    user.authenticationMethods = (user.authenticationMethods ?? []).filter(
      (m: Json) => !m["@odata.type"].toLowerCase().includes(odataType.toLowerCase()),
    );
    return this;
  }

  /** Records that a path could not be read (docs/snapshot.md `unavailable`). */
  unavailable(path: string, reason = "403 Forbidden"): this {
    this.doc.unavailable = { ...(this.doc.unavailable ?? {}), [path]: reason };
    return this;
  }

  setLicence(licence: Licence): this {
    this.doc.subscribedSkus = licence === "free" ? [] : [structuredClone(SKUS[licence])];
    return this;
  }

  methodConfig(id: string): Json {
    const c = this.doc.authenticationMethodsPolicy.authenticationMethodConfigurations.find(
      (x: Json) => x.id === id,
    );
    if (!c) throw new Error(`test tenant has no method configuration ${id}`);
    return c;
  }

  /** A validated snapshot (a copy: later changes to the builder do not leak into it). */
  build(): Snapshot {
    return parseSnapshot(structuredClone(this.doc), "test tenant");
  }

  configObject(): Config {
    return Config.parse(structuredClone(this.config));
  }

  /** the records beside the configuration (custody, drills) the checks see; none by default. */
  records: CheckRecords | undefined;

  context(): CheckContext {
    return buildCheckContext(this.build(), this.configObject(), this.records);
  }

  run(check: Check): CheckResult {
    return runCheck(check, this.context());
  }
}

export interface GoodTenant {
  t: TenantBuilder;
  /** the two emergency accounts. */
  bg1: Json;
  bg2: Json;
  /** the emergency group (role-assignable, obscure name). */
  group: Json;
  /** an everyday admin: eligible Global Administrator, Authenticator and phone. */
  admin: Json;
  /** a second everyday admin: active, time-bound Security Administrator. */
  secAdmin: Json;
  /** the restricted-management administrative unit holding the accounts and the group. */
  au: Json;
}

/**
 * A tenant that meets every recommendation the EA-ACC, EA-ROLE and EA-AUTH checks grade: two
 * cloud-only accounts on the initial domain, passwords that never expire, no licence, two attested
 * hardware keys of two vendors each, permanent direct Global Administrator, a protected emergency
 * group in a restricted AU, everyday admins on other methods. Config: both accounts and the group.
 */
export function goodTenant(opts: TenantOptions = {}): GoodTenant {
  const t = new TenantBuilder(opts);
  const bg1 = t.addUser("k7q2m", { displayName: "K7Q2M", passwordPolicies: "DisablePasswordExpiration" });
  const bg2 = t.addUser("x4p9t", { displayName: "X4P9T", passwordPolicies: "DisablePasswordExpiration" });
  for (const u of [bg1, bg2]) {
    t.addKey(u.id, KEYS.yubikey5Nfc);
    t.addKey(u.id, KEYS.feitianBioPass);
    t.assignRole(u.id, GA);
  }
  const group = t.addGroup("grp-q81", { isAssignableToRole: true }, [bg1.id, bg2.id]);
  const au = {
    id: t.newId(),
    displayName: "au-q81",
    isMemberManagementRestricted: true,
    members: [
      { "@odata.type": "#microsoft.graph.user", id: bg1.id },
      { "@odata.type": "#microsoft.graph.user", id: bg2.id },
      { "@odata.type": "#microsoft.graph.group", id: group.id },
    ],
  };
  t.doc.administrativeUnits.push(au);

  const admin = t.addUser("adele", {
    userPrincipalName: `adele@${t.customDomain}`,
    displayName: "Adele Vance",
    mail: `adele@${t.customDomain}`,
    assignedLicenses: [{ skuId: SKUS.E3.skuId, disabledPlans: [] }],
  });
  t.addMethod(admin.id, {
    "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
    displayName: "Adele's iPhone",
    deviceTag: "SoftwareTokenActivated",
    phoneAppVersion: "6.8.7",
  });
  t.addMethod(admin.id, {
    "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
    phoneNumber: "+1 5555550100",
    phoneType: "mobile",
    smsSignInState: "notEnabled",
  });
  t.assignRole(admin.id, GA, { eligible: true });
  const secAdmin = t.addUser("ben", {
    userPrincipalName: `ben@${t.customDomain}`,
    displayName: "Ben Walters",
    mail: `ben@${t.customDomain}`,
  });
  t.addMethod(secAdmin.id, {
    "@odata.type": "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
    displayName: "BEN-LAPTOP",
    keyStrength: "normal",
  });
  t.assignRole(secAdmin.id, ROLE_TEMPLATES["Security Administrator"], {
    endDateTime: "2027-01-01T00:00:00Z",
  });
  t.addUser("carol", {
    userPrincipalName: `carol@${t.customDomain}`,
    displayName: "Carol",
    mail: `carol@${t.customDomain}`,
  });

  t.doc.roleManagementPolicyAssignments.push({
    id: `DirectoryRole_${t.doc.tenant.id}_pol1_${GA}`,
    policyId: `DirectoryRole_${t.doc.tenant.id}_pol1`,
    scopeId: "/",
    scopeType: "DirectoryRole",
    roleDefinitionId: GA,
    policy: {
      id: `DirectoryRole_${t.doc.tenant.id}_pol1`,
      rules: [
        {
          "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
          id: "Approval_EndUser_Assignment",
          setting: { isApprovalRequired: false, approvalMode: "SingleStage", approvalStages: [] },
        },
      ],
    },
  });
  t.config = { accounts: [bg1.userPrincipalName, bg2.id], group: group.id };
  return { t, bg1, bg2, group, admin, secAdmin, au };
}

/** Runs a check on a snapshot with a config (plain object, validated like a config file). */
export function runOn(check: Check, snapshot: Snapshot, config: Json = {}): CheckResult {
  return runCheck(check, buildCheckContext(snapshot, Config.parse(config)));
}
