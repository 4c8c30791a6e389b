import { lookupAaguid } from "./aaguid.js";
import {
  defineCheck,
  eachAccount,
  methodKind,
  methodsOf,
  methodsPath,
  needsAccounts,
  perAccountNeeds,
  unreadableFinding,
} from "./lib/index.js";
import type { Finding } from "./types.js";

/** Graph paths to delete a method, by kind (users/{id}/authentication/...). */
const DELETE_PATH: Readonly<Record<string, string>> = {
  phone: "phoneMethods",
  email: "emailMethods",
  microsoftAuthenticator: "microsoftAuthenticatorMethods",
  softwareOath: "softwareOathMethods",
  fido2: "fido2Methods",
};
const DELETE_CMDLET: Readonly<Record<string, string>> = {
  phone: "Remove-MgUserAuthenticationPhoneMethod -PhoneAuthenticationMethodId",
  email: "Remove-MgUserAuthenticationEmailMethod -EmailAuthenticationMethodId",
  microsoftAuthenticator:
    "Remove-MgUserAuthenticationMicrosoftAuthenticatorMethod -MicrosoftAuthenticatorAuthenticationMethodId",
  softwareOath: "Remove-MgUserAuthenticationSoftwareOathMethod -SoftwareOathAuthenticationMethodId",
  fido2: "Remove-MgUserAuthenticationFido2Method -Fido2AuthenticationMethodId",
};

export const check = defineCheck(import.meta.url, {
  id: "EA-AUTH-03",
  title: "No phishable or personal-device method sits on an emergency account",
  severity: "high",
  sources: ["000", "001", "004"],
  needs: ["users"],
  needsFor: (ctx) => perAccountNeeds(ctx, "authenticationMethods"),
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const { account, user, subject, label } of eachAccount(ctx, findings)) {
      const bad: Array<{ kind: string; id: string; why: string }> = [];
      const doubtful: string[] = [];
      // Recovery data on the user object is readable even when the methods are not.
      if (user.mobilePhone)
        bad.push({
          kind: "mobilePhone",
          id: "",
          why: `mobilePhone ${user.mobilePhone} (SSPR and phone sign-in data)`,
        });
      for (const mail of user.otherMails ?? [])
        bad.push({ kind: "otherMails", id: "", why: `otherMails ${mail} (SSPR recovery email)` });
      const methods = methodsOf(ctx, account.id);
      for (const m of methods ?? []) {
        const kind = methodKind(m);
        if (kind === "phone")
          bad.push({
            kind,
            id: m.id,
            why: `phone ${m.phoneNumber ?? ""} (${m.phoneType ?? "phone"}): SMS and voice can be intercepted and need a phone network`,
          });
        else if (kind === "email") bad.push({ kind, id: m.id, why: `email ${m.emailAddress ?? ""}` });
        else if (kind === "microsoftAuthenticator")
          bad.push({
            kind,
            id: m.id,
            why: `Microsoft Authenticator on ${m.displayName ?? "a phone"}: a person's device`,
          });
        else if (kind === "softwareOath")
          bad.push({ kind, id: m.id, why: "a software OATH token (an app on a phone)" });
        else if (kind === "fido2") {
          const info = lookupAaguid(m.aaGuid);
          const name = info.model ?? m.model ?? m.aaGuid ?? "unknown model";
          if (info.class === "authenticatorApp")
            bad.push({
              kind,
              id: m.id,
              why: `a passkey in Microsoft Authenticator (${name}): it lives on a phone`,
            });
          else if (info.class === "platformOrSynced" || info.class === "softwareOrPhone")
            bad.push({
              kind,
              id: m.id,
              why: `a platform or synced passkey (${name}): it lives on a device or in a cloud account`,
            });
          else if (m.attestationLevel !== "attested")
            bad.push({ kind, id: m.id, why: `an unattested passkey (${name}): its maker is unproven` });
          else if (info.class === "unknown")
            doubtful.push(`an attested FIDO2 key with an AAGUID the table does not know (${m.aaGuid})`);
        }
      }
      // Report in a stable order, whatever order Graph listed the methods in.
      bad.sort((a, b) => `${a.kind}${a.why}${a.id}`.localeCompare(`${b.kind}${b.why}${b.id}`));
      doubtful.sort();
      const evidence = {
        mobilePhone: user.mobilePhone ?? null,
        otherMails: [...(user.otherMails ?? [])].sort(),
        methods: bad.map((b) => b.why),
      };
      if (bad.length) {
        const first = bad.find((b) => b.id) ?? bad[0]!;
        findings.push({
          status: "fail",
          subject,
          message: `${label} has ${bad.length === 1 ? "a method" : `${bad.length} methods or recovery entries`} an attacker can phish or that depends on a person's device: ${bad.map((b) => b.why).join("; ")}`,
          evidence,
          remediation: first.id
            ? {
                summary:
                  "Delete every phone, email, Authenticator, software OATH and non-hardware passkey method; clear mobilePhone and otherMails",
                portal:
                  "Microsoft Entra admin center > Identity > Users > All users > select the user > Authentication methods > delete",
                graph: `DELETE https://graph.microsoft.com/v1.0/users/${account.id}/authentication/${DELETE_PATH[first.kind]}/${first.id}`,
                powershell: `${DELETE_CMDLET[first.kind]} ${first.id} -UserId ${account.id}`,
                command: "breakglass apply --target methods",
              }
            : {
                summary: "Clear the recovery data on the user object",
                portal:
                  "Microsoft Entra admin center > Identity > Users > All users > select the user > Edit properties > Contact information",
                graph: `PATCH https://graph.microsoft.com/v1.0/users/${account.id} {"mobilePhone":null,"otherMails":[]}`,
                powershell: `Update-MgUser -UserId ${account.id} -MobilePhone $null -OtherMails @()`,
                command: "breakglass apply --target accounts",
              },
        });
      } else if (!methods) {
        findings.push(unreadableFinding(ctx, account, methodsPath(account.id)));
      } else if (doubtful.length) {
        findings.push({
          status: "warn",
          subject,
          message: `${label}: ${doubtful.join("; ")}: check it is a hardware key`,
          evidence,
        });
      } else {
        findings.push({
          status: "pass",
          subject,
          message: `${label}: no phishable or personal-device method`,
          evidence,
        });
      }
    }
    return findings;
  },
});
