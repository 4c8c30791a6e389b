/**
 * methods (docs/deploy.md step 6): FIDO2 enabled for the group without widening who else it
 * targets; the Temporary Access Pass method enabled for the group only while an account awaits
 * enrollment; the group excluded from every phishable method and from the registration campaign;
 * on each account, per-user MFA off and every phishable method (and a usable pass outside
 * enrollment) removed. Method configurations are written whole where Graph replaces arrays.
 */
import { norm } from "../snapshot/directory.js";
import type {
  AuthenticationMethod,
  AuthenticationMethodConfiguration,
  Snapshot,
  User,
} from "../snapshot/schema.js";
import type { AccountActual } from "./accounts.js";
import { isPhishableFido2 } from "./enrollment.js";
import type { Planning } from "./planning.js";
import { fingerprint, hasId, makeStep, stepKey } from "./step.js";
import type { ManualStep, ObjectRef, PropertyChange, Step } from "./types.js";

export const KIND = "methods";
const CONFIGS_URL = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations";

type MethodConfig = AuthenticationMethodConfiguration;
type Target = NonNullable<MethodConfig["includeTargets"]>[number];
type Campaign = NonNullable<
  NonNullable<
    NonNullable<Snapshot["authenticationMethodsPolicy"]>["registrationEnforcement"]
  >["authenticationMethodsRegistrationCampaign"]
>;
type KeyRestrictions = NonNullable<MethodConfig["keyRestrictions"]>;

/** A method configuration's PATCH body: its type, and only what changes (Graph replaces arrays whole). */
export type ConfigBody = {
  "@odata.type": unknown;
  state?: string;
  includeTargets?: Target[];
  excludeTargets?: Target[];
  keyRestrictions?: KeyRestrictions;
};

/** The phishable methods' configuration ids (EA-AUTH-03's kinds). */
export const PHISHABLE_CONFIGS = ["Sms", "Voice", "Email", "MicrosoftAuthenticator", "SoftwareOath"];

const METHOD_PATH: Readonly<Record<string, string>> = {
  phone: "phoneMethods",
  email: "emailMethods",
  microsoftAuthenticator: "microsoftAuthenticatorMethods",
  softwareOath: "softwareOathMethods",
  fido2: "fido2Methods",
  temporaryAccessPass: "temporaryAccessPassMethods",
};

/** docs/graph-writes.md §7.4: `mobile` cannot go while `alternateMobile` exists, so it goes last. */
const PHONE_ORDER: Readonly<Record<string, number>> = { alternateMobile: 0, office: 1, mobile: 2 };

const kindOf = (m: { "@odata.type"?: string }): string =>
  (m["@odata.type"] ?? "").replace(/^#?microsoft\.graph\./, "").replace(/AuthenticationMethod$/, "");

export interface MethodsActual {
  configs: MethodConfig[];
  campaign?: Campaign;
  /** the tenant's authorization policy: `allowedToUseSSPR` is the administrators' SSPR switch. */
  authorization?: NonNullable<Snapshot["authorizationPolicy"]>;
  accounts: AccountActual[];
}

export function read(p: Planning, accounts: AccountActual[]): MethodsActual {
  const policy = p.snapshot.authenticationMethodsPolicy;
  const campaign = policy?.registrationEnforcement?.authenticationMethodsRegistrationCampaign;
  return {
    configs: policy?.authenticationMethodConfigurations ?? [],
    ...(campaign ? { campaign } : {}),
    ...(p.snapshot.authorizationPolicy ? { authorization: p.snapshot.authorizationPolicy } : {}),
    accounts,
  };
}

export interface ConfigChange {
  config: MethodConfig;
  key: string;
  body: ConfigBody;
  changes: PropertyChange[];
  satisfies: string[];
  summary: string;
  risk?: string;
}

export interface MethodRemoval {
  account: string;
  userId: string;
  method: AuthenticationMethod;
  why: string;
}

export interface MethodsDiff {
  configs: ConfigChange[];
  campaign?: { campaign: Campaign; excludeTargets: Target[] };
  /** administrators may use SSPR (true, or unset: Graph's default): the value read. */
  ssprForAdministrators?: boolean | null;
  perUserMfa: Array<{ account: string; user: User }>;
  removals: MethodRemoval[];
}

const configById = (configs: MethodConfig[], id: string) => configs.find((c) => norm(c.id) === norm(id));
const groupTarget = (gid: string, extra: Partial<Target> = {}): Target => ({
  targetType: "group",
  id: gid,
  ...extra,
});
const covers = (targets: Target[] | undefined, gid: string) =>
  (targets ?? []).some((t) => norm(t.id) === "all_users" || norm(t.id) === norm(gid));

/** Enables a method for the group: on and targeted, without widening whom else it targets (enroll uses it for the pass). */
export function enableFor(config: MethodConfig, gid: string, label: string): ConfigChange | undefined {
  const body: ConfigBody = { "@odata.type": config["@odata.type"] };
  const changes: PropertyChange[] = [];
  let risk: string | undefined;
  const include = config.includeTargets ?? [];
  if (config.state !== "enabled") {
    // Switching a disabled method on would also switch it on for its old targets: target only the group.
    body.state = "enabled";
    changes.push({ property: "state", old: config.state ?? null, new: "enabled" });
    const only = [groupTarget(gid, { isRegistrationRequired: false })];
    if (!(include.length === 1 && norm(include[0]!.id) === norm(gid))) {
      body.includeTargets = only;
      changes.push({ property: "includeTargets", old: include.map((t) => t.id), new: [gid] });
      if (include.length)
        risk = `the method was off; its previous targets (${include.map((t) => t.id).join(", ")}) are replaced by the emergency group`;
    }
  } else if (!covers(include, gid)) {
    const next = [...include, groupTarget(gid, { isRegistrationRequired: false })];
    body.includeTargets = next;
    changes.push({ property: "includeTargets", old: include.map((t) => t.id), new: next.map((t) => t.id) });
  }
  const exclude = config.excludeTargets ?? [];
  if (
    hasId(
      exclude.map((t) => t.id),
      gid,
    )
  ) {
    const next = exclude.filter((t) => norm(t.id) !== norm(gid));
    body.excludeTargets = next;
    changes.push({ property: "excludeTargets", old: exclude.map((t) => t.id), new: next.map((t) => t.id) });
  }
  if (!changes.length) return undefined;
  return {
    config,
    key: stepKey(config.id),
    body,
    changes,
    satisfies: [],
    summary: `enable ${label} for the emergency group`,
    ...(risk ? { risk } : {}),
  };
}

/** The Temporary Access Pass's targets are those of the tenant's default configuration when Entra resets it. */
const TAP_DEFAULT_TARGETS: Target[] = [
  { targetType: "group", id: "all_users", isRegistrationRequired: false },
];

/**
 * Once every account holds its keys, the pass method stops reaching the group (docs/deploy.md step
 * 6): the group leaves `includeTargets`, every other target sent back as read (Graph replaces the
 * array whole). When the group was its only target (enroll switched an off method on for the group
 * alone), the method is switched off again rather than left on for no one, its targets back to
 * Entra's default (all users), which reach nobody while it is off.
 */
export function releaseFrom(config: MethodConfig, gid: string): ConfigChange | undefined {
  const include = config.includeTargets ?? [];
  if (
    !hasId(
      include.map((t) => t.id),
      gid,
    )
  )
    return undefined;
  const rest = include.filter((t) => norm(t.id) !== norm(gid));
  const body: ConfigBody = { "@odata.type": config["@odata.type"] };
  const changes: PropertyChange[] = [];
  const next = rest.length ? rest : TAP_DEFAULT_TARGETS;
  if (!rest.length) {
    body.state = "disabled";
    if (config.state !== "disabled")
      changes.push({ property: "state", old: config.state ?? null, new: "disabled" });
  }
  body.includeTargets = next;
  changes.push({ property: "includeTargets", old: include.map((t) => t.id), new: next.map((t) => t.id) });
  return {
    config,
    key: stepKey(config.id),
    body,
    changes,
    satisfies: ["EA-AUTH-08"],
    summary: rest.length
      ? "stop targeting the emergency group with the Temporary Access Pass (enrollment is over)"
      : "switch the Temporary Access Pass off again: enrollment is over and the emergency group was its only target",
  };
}

/** Key restrictions are tenant-wide: an allow list must admit, a block list must not name, the models. */
function admitModels(
  change: ConfigChange | undefined,
  config: MethodConfig,
  models: string[],
): ConfigChange | undefined {
  const r = config.keyRestrictions;
  if (!r?.isEnforced || !models.length) return change;
  const listed = r.aaGuids ?? [];
  const has = (m: string) => hasId(listed, m);
  const next =
    r.enforcementType === "allow"
      ? [...listed, ...models.filter((m) => !has(m))]
      : listed.filter((a) => !hasId(models, a));
  if (next.length === listed.length) return change;
  const out = change ?? {
    config,
    key: stepKey(config.id),
    body: { "@odata.type": config["@odata.type"] },
    changes: [],
    satisfies: [],
    summary: "admit the emergency key models",
  };
  out.body.keyRestrictions = { ...r, aaGuids: next };
  out.changes.push({ property: "keyRestrictions.aaGuids", old: listed, new: next });
  return out;
}

export function diff(p: Planning, actual: MethodsActual, gid: string, models: string[]): MethodsDiff {
  const out: MethodsDiff = { configs: [], perUserMfa: [], removals: [] };
  const fido2 = configById(actual.configs, "Fido2");
  if (fido2) {
    const c = admitModels(enableFor(fido2, gid, "FIDO2 security keys"), fido2, models);
    if (c) out.configs.push({ ...c, satisfies: ["EA-AUTH-05"] });
  }
  const tap = configById(actual.configs, "TemporaryAccessPass");
  if (tap) {
    const c = p.enrollment.complete
      ? releaseFrom(tap, gid)
      : enableFor(tap, gid, "the Temporary Access Pass (enrollment)");
    if (c) out.configs.push(c);
  }
  for (const id of PHISHABLE_CONFIGS) {
    const c = configById(actual.configs, id);
    if (!c || c.state !== "enabled") continue;
    const exclude = c.excludeTargets ?? [];
    if (
      hasId(
        exclude.map((t) => t.id),
        gid,
      )
    )
      continue;
    const next = [...exclude, groupTarget(gid)];
    out.configs.push({
      config: c,
      key: stepKey(c.id),
      body: { "@odata.type": c["@odata.type"], excludeTargets: next },
      changes: [{ property: "excludeTargets", old: exclude.map((t) => t.id), new: next.map((t) => t.id) }],
      satisfies: ["EA-AUTH-03"],
      summary: `exclude the emergency group from ${c.id}`,
    });
  }
  const campaign = actual.campaign;
  if (campaign && campaign.state !== "disabled") {
    const exclude = campaign.excludeTargets ?? [];
    if (
      !hasId(
        exclude.map((t) => t.id),
        gid,
      )
    )
      out.campaign = { campaign, excludeTargets: [...exclude, groupTarget(gid)] };
  }
  // The accounts hold Global Administrator, so the administrators' reset policy governs them, not
  // the user policy's group scope; Graph exposes only its on/off switch (docs/deploy.md step 6).
  const sspr = actual.authorization?.allowedToUseSSPR;
  if (actual.authorization && sspr !== false) out.ssprForAdministrators = sspr ?? null;
  for (const { account, user } of actual.accounts) {
    if (!user) continue;
    const state = (user.perUserMfaState ?? "").toLowerCase();
    if (state === "enabled" || state === "enforced") out.perUserMfa.push({ account: account.key, user });
    const enrolled = p.enrollment.accounts.find((a) => a.key === account.key)?.enrolled ?? false;
    for (const m of user.authenticationMethods ?? []) {
      const kind = kindOf(m);
      let why: string | undefined;
      if (kind === "phone") why = `phone method ${maskPhone(m.phoneNumber)}`;
      else if (kind === "email") why = "email method";
      else if (kind === "microsoftAuthenticator")
        why = `Microsoft Authenticator on ${m.displayName ?? "a phone"}`;
      else if (kind === "softwareOath") why = "software OATH token";
      else if (kind === "fido2" && isPhishableFido2(m))
        why = `passkey ${m.model ?? m.aaGuid ?? ""} (not a security key)`;
      else if (kind === "temporaryAccessPass" && enrolled) why = "Temporary Access Pass (outside enrollment)";
      if (why) out.removals.push({ account: account.key, userId: user.id, method: m, why });
    }
  }
  out.removals.sort(
    (a, b) =>
      a.account.localeCompare(b.account) ||
      (PHONE_ORDER[a.method.phoneType ?? ""] ?? -1) - (PHONE_ORDER[b.method.phoneType ?? ""] ?? -1) ||
      a.method.id.localeCompare(b.method.id),
  );
  return out;
}

/** Enough of a phone number to recognise it, not to dial it. */
export function maskPhone(n: string | null | undefined): string {
  const s = (n ?? "").trim();
  return s.length > 6 ? `${s.slice(0, 3)} ... ${s.slice(-4)}` : s || "(no number)";
}

const configRef = (c: MethodConfig): ObjectRef => ({
  type: "authenticationMethodConfiguration",
  key: stepKey(c.id),
  id: c.id,
});
export const managedConfig = (c: MethodConfig) => c;

export function steps(d: MethodsDiff): Step[] {
  const out: Step[] = [];
  for (const c of d.configs) {
    const objectRef = configRef(c.config);
    out.push(
      makeStep({
        id: `${KIND}.${c.key}`,
        kind: KIND,
        action: "update",
        objectRef,
        summary: c.summary,
        changes: c.changes,
        request: { method: "PATCH", url: `${CONFIGS_URL}/${c.config.id}`, body: c.body },
        dependsOn: [fingerprint(objectRef, managedConfig(c.config))],
        satisfies: c.satisfies,
        ...(c.risk ? { risk: c.risk } : {}),
      }),
    );
  }
  if (d.campaign) {
    const objectRef: ObjectRef = {
      type: "registrationEnforcement",
      key: "registration-campaign",
      id: "authenticationMethodsPolicy",
    };
    out.push(
      makeStep({
        id: `${KIND}.registration-campaign`,
        kind: KIND,
        action: "update",
        objectRef,
        summary: "exclude the emergency group from the registration campaign",
        changes: [
          {
            property: "registrationEnforcement.authenticationMethodsRegistrationCampaign.excludeTargets",
            old: (d.campaign.campaign.excludeTargets ?? []).map((t) => t.id),
            new: d.campaign.excludeTargets.map((t) => t.id),
          },
        ],
        request: {
          method: "PATCH",
          url: "/v1.0/policies/authenticationMethodsPolicy",
          body: {
            registrationEnforcement: {
              authenticationMethodsRegistrationCampaign: {
                ...d.campaign.campaign,
                excludeTargets: d.campaign.excludeTargets,
              },
            },
          },
        },
        dependsOn: [fingerprint(objectRef, d.campaign.campaign)],
        satisfies: ["EA-AUTH-09"],
      }),
    );
  }
  if (d.ssprForAdministrators !== undefined) {
    const objectRef: ObjectRef = {
      type: "authorizationPolicy",
      key: "authorization-policy",
      id: "authorizationPolicy",
    };
    out.push(
      makeStep({
        id: `${KIND}.sspr-administrators`,
        kind: KIND,
        action: "update",
        objectRef,
        summary:
          "turn self-service password reset off for administrators (the emergency accounts among them)",
        changes: [{ property: "allowedToUseSSPR", old: d.ssprForAdministrators, new: false }],
        request: {
          method: "PATCH",
          url: "/v1.0/policies/authorizationPolicy",
          body: { allowedToUseSSPR: false },
        },
        dependsOn: [fingerprint(objectRef, { allowedToUseSSPR: d.ssprForAdministrators })],
        satisfies: ["EA-AUTH-07"],
        risk: "tenant-wide: no administrator can reset their own password with SSPR afterwards (an administrator resets it for them); Entra takes up to 60 minutes to apply it",
      }),
    );
  }
  for (const { account, user } of d.perUserMfa) {
    const objectRef: ObjectRef = { type: "userAuthenticationRequirements", key: account, id: user.id };
    out.push(
      makeStep({
        id: `${KIND}.${account}.per-user-mfa`,
        kind: KIND,
        action: "update",
        objectRef,
        summary: `turn per-user MFA off on ${user.userPrincipalName ?? account}`,
        changes: [{ property: "perUserMfaState", old: user.perUserMfaState ?? null, new: "disabled" }],
        request: {
          method: "PATCH",
          url: `/beta/users/${user.id}/authentication/requirements`,
          body: { perUserMfaState: "disabled" },
        },
        dependsOn: [fingerprint(objectRef, { perUserMfaState: user.perUserMfaState ?? null })],
        satisfies: ["EA-AUTH-06"],
      }),
    );
  }
  for (const r of d.removals) {
    const kind = kindOf(r.method);
    const objectRef: ObjectRef = {
      type: "authenticationMethod",
      key: `${r.account}/${r.method.id}`,
      id: r.method.id,
    };
    out.push(
      makeStep({
        id: `${KIND}.${r.account}.${stepKey(kind)}-${stepKey(r.method.id, 8)}`,
        kind: KIND,
        action: "destroy",
        objectRef,
        summary: `destroy ${r.why} on ${r.account}`,
        request: {
          method: "DELETE",
          url: `/v1.0/users/${r.userId}/authentication/${METHOD_PATH[kind]}/${r.method.id}`,
        },
        dependsOn: [fingerprint(objectRef, r.method)],
        satisfies: [kind === "temporaryAccessPass" ? "EA-AUTH-08" : "EA-AUTH-03"],
      }),
    );
  }
  return out;
}

/**
 * What step 6 needs and Graph cannot do (docs/deploy.md "SSPR and Identity Protection"): Identity Protection's
 * multifactor authentication registration policy has no Graph API, so the group's exclusion is the
 * operator's to make, and to keep.
 */
export function manualSteps(groupLabel: string): ManualStep[] {
  return [
    {
      id: `${KIND}.identity-protection-mfa-registration`,
      kind: KIND,
      summary: `exclude ${groupLabel} from Identity Protection's multifactor authentication registration policy`,
      portal: `Microsoft Entra admin center > Protection > Identity Protection > Multifactor authentication registration policy > Assignments > Users > Exclude: ${groupLabel}`,
      why: "its registration interrupt cannot register a security key and would stop an emergency sign-in; Graph has no API to read or change this policy",
    },
  ];
}
