import {
  defineCheck,
  eachAccount,
  methodKind,
  needsAccounts,
  parseDate,
  perAccountNeeds,
} from "./lib/index.js";
import type { Finding } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-AUTH-08",
  title: "No usable Temporary Access Pass sits on an emergency account",
  severity: "high",
  sources: ["beyond seeds"],
  needs: ["users"],
  needsFor: (ctx) => perAccountNeeds(ctx, "authenticationMethods"),
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const { account, subject, label, methods } of eachAccount(ctx, findings, "authenticationMethods")) {
      const usable = methods
        .filter((m) => methodKind(m) === "temporaryAccessPass")
        .filter((m) => {
          // Graph's own verdict first; without it, the validity window against "now".
          if (m.isUsable === true || m.methodUsabilityReason === "NotYetValid") return true;
          if (m.isUsable === false) return false;
          const start = parseDate(m.startDateTime);
          if (!start || m.lifetimeInMinutes == null) return true;
          return start.getTime() + m.lifetimeInMinutes * 60_000 > ctx.now.getTime();
        });
      usable.sort((a, b) =>
        `${a.startDateTime ?? ""}${a.id}`.localeCompare(`${b.startDateTime ?? ""}${b.id}`),
      );
      if (!usable.length) {
        findings.push({ status: "pass", subject, message: `${label}: no usable Temporary Access Pass` });
        continue;
      }
      const tap = usable[0]!;
      findings.push({
        status: "fail",
        subject,
        message: `${label} has a usable Temporary Access Pass (${usable.length > 1 ? `${usable.length} of them, ` : ""}from ${tap.startDateTime ?? "?"} for ${tap.lifetimeInMinutes ?? "?"} minutes${tap.isUsableOnce ? ", once" : ""}): anyone who has it signs in as Global Administrator without the keys`,
        evidence: {
          taps: usable.map((m) => ({
            id: m.id,
            startDateTime: m.startDateTime ?? null,
            lifetimeInMinutes: m.lifetimeInMinutes ?? null,
            isUsable: m.isUsable ?? null,
            methodUsabilityReason: m.methodUsabilityReason ?? null,
          })),
        },
        remediation: {
          summary:
            "Delete the Temporary Access Pass, then find out who issued it (audit log: Admin registered security info)",
          portal:
            "Microsoft Entra admin center > Identity > Users > All users > select the user > Authentication methods > Temporary Access Pass > Delete",
          graph: `DELETE https://graph.microsoft.com/v1.0/users/${account.id}/authentication/temporaryAccessPassMethods/${tap.id}`,
          powershell: `Remove-MgUserAuthenticationTemporaryAccessPassMethod -UserId ${account.id} -TemporaryAccessPassAuthenticationMethodId ${tap.id}`,
          command: "breakglass apply --target methods",
        },
      });
    }
    return findings;
  },
});
