/**
 * accounts (docs/deploy.md step 1): cloud-only users on the initial domain, enabled, password that
 * never expires, no licence. Existing accounts are adopted and only the properties the profile
 * governs are changed.
 */
import type { User } from "../snapshot/schema.js";
import type { DesiredAccount } from "./desired.js";
import type { Enrollment } from "./enrollment.js";
import type { Planning } from "./planning.js";
import { fingerprint, makeStep, odataString } from "./step.js";
import { type PropertyChange, refToken, SECRET_TOKEN, type Step } from "./types.js";

export const KIND = "accounts";

export interface AccountActual {
  account: DesiredAccount;
  user?: User;
}

export function read(p: Planning): AccountActual[] {
  return p.desired.accounts.map((account) => {
    const user = p.directory.user(account.configured);
    return user ? { account, user } : { account };
  });
}

/** The properties of a user this kind governs (its fingerprint). */
export const managedUser = (u: User) => ({
  userPrincipalName: u.userPrincipalName ?? null,
  accountEnabled: u.accountEnabled ?? null,
  passwordPolicies: u.passwordPolicies ?? null,
  mobilePhone: u.mobilePhone ?? null,
  otherMails: u.otherMails ?? [],
  assignedLicenses: (u.assignedLicenses ?? []).map((l) => l.skuId ?? null),
});

export interface AccountDiff {
  account: DesiredAccount;
  user?: User;
  /** the profile's password choice, shown on a create. */
  passwords: "kept" | "discarded";
  changes: PropertyChange[];
  /** skuIds to remove (profile.licenses: none). */
  removeLicences: string[];
}

const NEVER_EXPIRES = "DisablePasswordExpiration";

function withNeverExpires(current: string | null | undefined): string {
  const parts = (current ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return [...parts.filter((s) => s !== "None"), NEVER_EXPIRES].join(", ");
}

export function diff(p: Planning, actual: AccountActual[]): AccountDiff[] {
  return actual.map(({ account, user }) => {
    const out: AccountDiff = { account, passwords: p.profile.passwords, changes: [], removeLicences: [] };
    if (!user) return out;
    out.user = user;
    if (user.accountEnabled !== true)
      out.changes.push({ property: "accountEnabled", old: user.accountEnabled ?? null, new: true });
    const policies = (user.passwordPolicies ?? "").split(",").map((s) => s.trim());
    if (!policies.includes(NEVER_EXPIRES))
      out.changes.push({
        property: "passwordPolicies",
        old: user.passwordPolicies ?? null,
        new: withNeverExpires(user.passwordPolicies),
      });
    // Recovery data on the user object: SSPR and phone sign-in could use it (EA-AUTH-03).
    if (user.mobilePhone) out.changes.push({ property: "mobilePhone", old: user.mobilePhone, new: null });
    if ((user.otherMails ?? []).length)
      out.changes.push({ property: "otherMails", old: user.otherMails, new: [] });
    if (p.profile.licenses === "none")
      out.removeLicences = (user.assignedLicenses ?? []).map((l) => l.skuId).filter((s): s is string => !!s);
    return out;
  });
}

export const stepId = (a: DesiredAccount): string => `${KIND}.${a.key}`;

export function steps(diffs: AccountDiff[]): Step[] {
  const out: Step[] = [];
  for (const d of diffs) {
    const { account, user } = d;
    const objectRef = {
      type: "user" as const,
      key: account.key,
      ...(user ? { id: user.id } : {}),
      ...(account.userPrincipalName ? { name: account.userPrincipalName } : {}),
    };
    const dependsOn = [fingerprint(objectRef, user ? managedUser(user) : undefined)];
    if (!user) {
      const upn = account.userPrincipalName!;
      out.push(
        makeStep({
          id: stepId(account),
          kind: KIND,
          action: "create",
          objectRef,
          summary: `create user ${upn}`,
          changes: [
            { property: "accountEnabled", new: true },
            { property: "passwordPolicies", new: NEVER_EXPIRES },
            { property: "passwordProfile.password", new: `(generated at apply, ${d.passwords})` },
          ],
          request: {
            method: "POST",
            url: "/v1.0/users",
            body: {
              accountEnabled: true,
              displayName: account.displayName,
              mailNickname: account.mailNickname,
              userPrincipalName: upn,
              passwordProfile: { forceChangePasswordNextSignIn: false, password: SECRET_TOKEN },
              passwordPolicies: NEVER_EXPIRES,
            },
          },
          lookup: `/v1.0/users?$filter=userPrincipalName eq ${odataString(upn)}&$select=id,userPrincipalName`,
          dependsOn,
          satisfies: ["EA-ACC-02", "EA-ACC-03", "EA-ACC-04", "EA-ACC-05", "EA-ACC-07"],
          secret: "password",
        }),
      );
      continue;
    }
    const label = user.userPrincipalName ?? user.id;
    if (d.changes.length) {
      const body = Object.fromEntries(d.changes.map((c) => [c.property, c.new]));
      out.push(
        makeStep({
          id: stepId(account),
          kind: KIND,
          action: "update",
          objectRef,
          summary: `update user ${label}`,
          changes: d.changes,
          request: { method: "PATCH", url: `/v1.0/users/${user.id}`, body },
          dependsOn,
          satisfies: [
            ...(d.changes.some((c) => c.property === "accountEnabled") ? ["EA-ACC-02"] : []),
            ...(d.changes.some((c) => c.property === "passwordPolicies") ? ["EA-ACC-05"] : []),
            ...(d.changes.some((c) => c.property === "mobilePhone" || c.property === "otherMails")
              ? ["EA-AUTH-03"]
              : []),
          ],
        }),
      );
    }
    if (d.removeLicences.length)
      out.push(
        makeStep({
          id: `${stepId(account)}.licences`,
          kind: KIND,
          action: "destroy",
          objectRef,
          summary: `remove ${d.removeLicences.length} licence(s) from ${label}`,
          changes: [{ property: "assignedLicenses", old: d.removeLicences, new: [] }],
          request: {
            method: "POST",
            url: `/v1.0/users/${user.id}/assignLicense`,
            body: { addLicenses: [], removeLicenses: d.removeLicences },
          },
          dependsOn,
          satisfies: ["EA-ACC-07"],
        }),
      );
  }
  return out;
}

/** The ids later kinds point at: the user's id, or the reference to its create step. */
export function idsOf(actual: AccountActual[]): Map<string, string> {
  return new Map(
    actual.map(({ account, user }) => [account.key, user ? user.id : refToken(stepId(account))]),
  );
}

/** how far apart Entra may stamp a new user's creation and its first password */
const CREATION_SKEW_MS = 60_000;

const time = (iso: string | null | undefined): number | undefined => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? undefined : t;
};

/**
 * `profile.passwords: kept` (docs/deploy.md "Secrets"): a password is delivered only once the
 * account's keys are enrolled, so the one set at creation is discarded and a new one is set and
 * shown after enrollment. The tenant says whether that is still to do: the password was never
 * changed since the account was created (the creation's own password) and the keys came later.
 * A password changed since creation is someone's kept password (an adopted or rotated account)
 * and is left alone; without the dates the plan cannot tell, and leaves it alone too.
 */
export function deliverySteps(p: Planning, actual: AccountActual[], enrollment: Enrollment): Step[] {
  if (p.profile.passwords !== "kept") return [];
  const out: Step[] = [];
  for (const { account, user } of actual) {
    const state = enrollment.accounts.find((a) => a.key === account.key);
    if (!user || !state?.enrolled) continue;
    const changed = time(user.lastPasswordChangeDateTime);
    const created = time(user.createdDateTime);
    const newestKey = Math.max(...state.keys.map((k) => time(k.createdDateTime) ?? -Infinity));
    if (changed === undefined || created === undefined || !Number.isFinite(newestKey)) continue;
    if (Math.abs(changed - created) > CREATION_SKEW_MS || changed >= newestKey) continue;
    const label = user.userPrincipalName ?? user.id;
    const delivery = p.profile.passwordDelivery === "split" ? "in two halves, one per custodian" : "once";
    const objectRef = {
      type: "user" as const,
      key: account.key,
      id: user.id,
      ...(account.userPrincipalName ? { name: account.userPrincipalName } : {}),
    };
    out.push(
      makeStep({
        id: `${stepId(account)}.password`,
        kind: KIND,
        action: "update",
        objectRef,
        summary: `set the kept password of ${label} and show it ${delivery}`,
        changes: [
          {
            property: "passwordProfile.password",
            old: "(set at creation, discarded)",
            new: `(generated at apply, kept: shown ${delivery})`,
          },
        ],
        request: {
          method: "PATCH",
          url: `/v1.0/users/${user.id}`,
          body: { passwordProfile: { forceChangePasswordNextSignIn: false, password: SECRET_TOKEN } },
        },
        dependsOn: [
          fingerprint(objectRef, {
            lastPasswordChangeDateTime: user.lastPasswordChangeDateTime ?? null,
            keys: state.keys.map((k) => k.id).sort(),
          }),
        ],
        satisfies: ["EA-ACC-06"],
        risk: "the password is shown on this terminal: apply needs one (a TTY), and the custodians at it",
        secret: "password",
      }),
    );
  }
  return out;
}
