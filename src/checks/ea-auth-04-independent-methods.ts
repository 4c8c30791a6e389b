import { isAvailable } from "../snapshot/availability.js";
import { norm } from "../snapshot/directory.js";
import { methodKinds, registrationRows, rowRulesOut, type TieKind } from "../snapshot/registration.js";
import type { AuthenticationMethod, RegistrationDetails } from "../snapshot/schema.js";
import { AUTHENTICATOR_AAGUIDS, isHardwareKey, lookupAaguid } from "./aaguid.js";
import {
  defineCheck,
  eachAccount,
  memo,
  methodKind,
  methodsOf,
  methodsPath,
  needsAccounts,
  privilegedUserNeeds,
  roleDataComplete,
  sortedUnique,
  tenantSubject,
} from "./lib/index.js";
import type { CheckContext, Finding, Need } from "./types.js";

/** The everyday privileged users: privileged role holders that are not emergency accounts (once per run). */
const everydayAdmins = (ctx: CheckContext): string[] =>
  memo(ctx, "everydayAdmins", () => {
    const accounts = new Set(ctx.accounts.resolved.map((a) => norm(a.id)));
    return [...ctx.directory.privilegedUserIds()].filter((id) => !accounts.has(id)).sort();
  });

/** The registration report's rows by user id (once per run). */
const registrationOf = (ctx: CheckContext): Map<string, RegistrationDetails> =>
  memo(ctx, "registrationRows", () =>
    isAvailable(ctx.snapshot, "registrationDetails")
      ? registrationRows(ctx.snapshot.registrationDetails)
      : new Map<string, RegistrationDetails>(),
  );

/** The kinds the readable accounts' methods hold: what an admin's registration row must not show. */
const accountKinds = (ctx: CheckContext): Set<TieKind> =>
  memo(ctx, "accountTieKinds", () => {
    const out = new Set<TieKind>();
    for (const a of ctx.accounts.resolved)
      for (const k of methodKinds(methodsOf(ctx, a.id) ?? [])) out.add(k);
    return out;
  });

/**
 * Everyday admins whose methods were not read but whose registration row shows none of the kinds the
 * accounts hold: they cannot share a key model, number or device, nor the kind of strong method
 * (export reads no more of them, docs/reads.md). Without a deciding row an admin stays unknown.
 */
const ruledOutByRegistration = (ctx: CheckContext): Set<string> =>
  memo(ctx, "ruledOutByRegistration", () => {
    const rows = registrationOf(ctx);
    const kinds = accountKinds(ctx);
    return new Set(
      everydayAdmins(ctx).filter((id) => !methodsOf(ctx, id) && rowRulesOut(rows.get(id), kinds)),
    );
  });

const digits = (phone: string | null | undefined) => (phone ?? "").replace(/\D/g, "");

/** What could tie an account to an admin: key models, phone numbers, Authenticator devices. */
function ties(methods: readonly AuthenticationMethod[]) {
  return {
    keyModels: new Set(
      methods.filter((m) => methodKind(m) === "fido2" && m.aaGuid).map((m) => norm(m.aaGuid)),
    ),
    phones: new Set(
      methods
        .filter((m) => methodKind(m) === "phone" && digits(m.phoneNumber))
        .map((m) => digits(m.phoneNumber)),
    ),
    // The phone Microsoft Authenticator runs on, named by its device name: the app registration, and
    // a passkey kept in Authenticator (a FIDO2 method whose display name is the phone's).
    devices: new Set(
      methods
        .filter(
          (m) =>
            m.displayName &&
            (methodKind(m) === "microsoftAuthenticator" ||
              (methodKind(m) === "fido2" && AUTHENTICATOR_AAGUIDS.has(norm(m.aaGuid)))),
        )
        .map((m) => norm(m.displayName)),
    ),
  };
}

/** The kinds of strong method a user signs in with (hardware key, Windows Hello, Authenticator passkey...). */
function strongKinds(methods: readonly AuthenticationMethod[]): Set<string> {
  const out = new Set<string>();
  for (const m of methods) {
    const kind = methodKind(m);
    if (kind === "fido2")
      out.add(isHardwareKey(m) ? "FIDO2 security key" : `passkey (${lookupAaguid(m.aaGuid).class})`);
    else if (kind === "windowsHelloForBusiness") out.add("Windows Hello for Business");
    else if (kind === "platformCredential") out.add("platform credential");
  }
  return out;
}

export const check = defineCheck(import.meta.url, {
  id: "EA-AUTH-04",
  title: "The emergency accounts' methods are independent of the everyday admins'",
  severity: "medium",
  sources: ["001"],
  needs: ["users"],
  needsFor: (ctx): Need[] => [
    ...privilegedUserNeeds(ctx),
    ...ctx.accounts.resolved.map((a) => methodsPath(a.id)),
    ...everydayAdmins(ctx).map((id) =>
      ruledOutByRegistration(ctx).has(id) ? "registrationDetails" : methodsPath(id),
    ),
  ],
  appliesTo(ctx) {
    const noAccounts = needsAccounts(ctx);
    if (noAccounts) return noAccounts;
    if (
      isAvailable(ctx.snapshot, "users") &&
      roleDataComplete(ctx, privilegedUserNeeds(ctx)) &&
      everydayAdmins(ctx).length === 0
    )
      return "no privileged user besides the emergency accounts to compare with (see EA-ROLE-05)";
    return undefined;
  },
  evaluate(ctx) {
    const all = everydayAdmins(ctx).map((id) => ({
      id,
      user: ctx.directory.users.get(id),
      methods: methodsOf(ctx, id),
    }));
    const admins = all.filter((a) => a.methods);
    const ruledOut = ruledOutByRegistration(ctx);
    const findings: Finding[] = [];
    // Listed as unreadable, the needs already make this unknown; merely not collected, say so here.
    const notCollected = all.filter(
      (a) => !a.methods && !ruledOut.has(a.id) && isAvailable(ctx.snapshot, methodsPath(a.id)),
    );
    if (notCollected.length)
      findings.push({
        status: "unknown",
        subject: tenantSubject(ctx.snapshot),
        message: `The methods of ${notCollected.length} privileged user${notCollected.length === 1 ? " were" : "s were"} not collected, so sharing with them cannot be ruled out`,
        evidence: { users: notCollected.map((a) => a.user?.userPrincipalName ?? a.id).sort() },
      });
    for (const { account, subject, label, methods } of eachAccount(ctx, findings, "authenticationMethods")) {
      const mine = ties(methods);
      const shared: string[] = [];
      const sameKind: string[] = [];
      const myKinds = strongKinds(methods);
      for (const admin of admins) {
        const theirs = ties(admin.methods!);
        const name = admin.user?.userPrincipalName ?? admin.id;
        for (const k of mine.keyModels)
          if (theirs.keyModels.has(k)) shared.push(`key model ${lookupAaguid(k).model ?? k} with ${name}`);
        for (const p of mine.phones)
          if (theirs.phones.has(p)) shared.push(`phone number …${p.slice(-4)} with ${name}`);
        for (const d of mine.devices)
          if (theirs.devices.has(d)) shared.push(`Authenticator device "${d}" with ${name}`);
        const common = [...strongKinds(admin.methods!)].filter((k) => myKinds.has(k));
        if (common.length) sameKind.push(`${name} (${common.join(", ")})`);
      }
      const evidence = {
        shared: sortedUnique(shared),
        sameKind: sortedUnique(sameKind),
        // admins decided by their registration row were compared too: nothing of theirs can match
        comparedWith: admins.length + ruledOut.size,
        ...(ruledOut.size ? { ruledOutByRegistration: ruledOut.size } : {}),
      };
      if (shared.length) {
        findings.push({
          status: "fail",
          subject,
          message: `${label} shares ${sortedUnique(shared).join("; ")}: a fault or compromise of that model, number or device hits the everyday admins and the emergency access together`,
          evidence,
          remediation: {
            summary: "Give the emergency accounts key models, numbers and devices no everyday admin uses",
            portal:
              "Microsoft Entra admin center > Identity > Users > select the user > Authentication methods",
            graph: `GET https://graph.microsoft.com/v1.0/users/${account.id}/authentication/methods`,
            powershell: `Get-MgUserAuthenticationMethod -UserId ${account.id}`,
          },
        });
      } else if (sameKind.length) {
        findings.push({
          status: "warn",
          subject,
          message: `${label} signs in with the same kind of method as ${sameKind.length} everyday admin${sameKind.length === 1 ? "" : "s"} (${sortedUnique(sameKind).join("; ")}): Microsoft advises a different method for emergency accounts, so an outage of one kind leaves the other`,
          evidence,
        });
      } else {
        findings.push({
          status: "pass",
          subject,
          message: `${label}: no shared model, number or device, and a different kind of method from the everyday admins`,
          evidence,
        });
      }
    }
    return findings;
  },
});
