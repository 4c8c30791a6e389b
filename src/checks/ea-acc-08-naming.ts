import { linearPattern } from "../config/pattern.js";
import { emergencyWordIn } from "../discover/keywords.js";
import {
  accountUsers,
  defineCheck,
  eachAccount,
  groupSubject,
  needsAccounts,
  userSubject,
} from "./lib/index.js";
import type { Finding, Need } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-ACC-08",
  title: "The emergency accounts follow the naming policy",
  severity: "low",
  sources: ["000", "002", "004"],
  needs: ["users"],
  needsFor: (ctx): Need[] => (ctx.config.group && ctx.config.profile.naming === "obscure" ? ["groups"] : []),
  appliesTo(ctx) {
    const { naming, namingPattern } = ctx.config.profile;
    if (naming === "any") return "profile naming: any (names are not graded)";
    if (naming === "descriptive" && !namingPattern)
      return "profile naming: descriptive, but no namingPattern is configured to grade names against";
    return needsAccounts(ctx);
  },
  evaluate(ctx) {
    const { naming, namingPattern } = ctx.config.profile;
    const findings: Finding[] = [];
    if (naming === "descriptive") {
      const pattern = linearPattern(namingPattern!);
      for (const { account, user } of accountUsers(ctx)) {
        const upn = user?.userPrincipalName ?? account.userPrincipalName;
        if (!upn) continue;
        const evidence = { userPrincipalName: upn, namingPattern };
        findings.push(
          pattern.test(upn)
            ? {
                status: "pass",
                subject: userSubject(account),
                message: `${upn} matches the naming pattern`,
                evidence,
              }
            : {
                status: "fail",
                subject: userSubject(account),
                message: `${upn} does not match the naming pattern ${namingPattern}`,
                evidence,
                remediation: {
                  summary:
                    "Rename the account to match the naming standard (update alert queries that match the UPN)",
                  portal:
                    "Microsoft Entra admin center > Identity > Users > All users > select the user > Edit properties",
                  graph: `PATCH https://graph.microsoft.com/v1.0/users/${account.id} {"userPrincipalName":"…"}`,
                  powershell: `Update-MgUser -UserId ${account.id} -UserPrincipalName "…"`,
                },
              },
        );
      }
      return findings;
    }
    // obscure: nothing an attacker enumerating the directory reads should say "emergency account".
    for (const { account, user, subject, label } of eachAccount(ctx, findings)) {
      const upnLocal = (user.userPrincipalName ?? "").split("@")[0];
      const hits = Object.entries({
        userPrincipalName: upnLocal,
        displayName: user.displayName,
        mailNickname: user.mailNickname,
      })
        .map(([property, value]) => ({ property, value: value ?? null, word: emergencyWordIn(value) }))
        .filter((h) => h.word);
      findings.push(
        hits.length
          ? {
              status: "fail",
              subject,
              message: `${label} gives itself away: ${hits.map((h) => `${h.property} contains "${h.word}"`).join(", ")}`,
              evidence: Object.fromEntries(hits.map((h) => [h.property, h.value])),
              remediation: {
                summary:
                  "Give the account a name that does not reveal its purpose (and update alert queries that match the UPN)",
                portal:
                  "Microsoft Entra admin center > Identity > Users > All users > select the user > Edit properties",
                graph: `PATCH https://graph.microsoft.com/v1.0/users/${account.id} {"displayName":"…","mailNickname":"…","userPrincipalName":"…@<tenant>.onmicrosoft.com"}`,
                powershell: `Update-MgUser -UserId ${account.id} -DisplayName "…" -MailNickname "…" -UserPrincipalName "…@<tenant>.onmicrosoft.com"`,
              },
            }
          : {
              status: "pass",
              subject,
              message: `${label}: name reveals nothing`,
            },
      );
    }
    const group = ctx.accounts.group
      ? ctx.directory.groups.get(ctx.accounts.group.id.toLowerCase())
      : undefined;
    if (group) {
      const hits = [
        ["displayName", group.displayName],
        ["description", group.description],
      ].filter(([, v]) => emergencyWordIn(v));
      if (hits.length)
        findings.push({
          status: "fail",
          subject: groupSubject(group),
          message: `The emergency group gives the accounts away: ${hits.map(([p, v]) => `${p} contains "${emergencyWordIn(v)}"`).join(", ")}`,
          evidence: Object.fromEntries(hits),
          remediation: {
            summary:
              "Rename the group and clear its description (seed 000: name the group as arbitrarily as the accounts)",
            portal:
              "Microsoft Entra admin center > Identity > Groups > All groups > select the group > Properties",
            graph: `PATCH https://graph.microsoft.com/v1.0/groups/${group.id} {"displayName":"…","description":null}`,
            powershell: `Update-MgGroup -GroupId ${group.id} -DisplayName "…" -Description " "`,
          },
        });
    }
    return findings;
  },
});
