import { licenceTier, norm } from "../snapshot/directory.js";
import { isAvailable } from "../snapshot/availability.js";
import {
  daysBetween,
  defineCheck,
  eachAccount,
  gradeFinding,
  needsAccounts,
  parseDate,
} from "./lib/index.js";
import type { Finding } from "./types.js";

interface SignInWithDetails {
  id: string;
  userId?: string | null;
  createdDateTime?: string | null;
  status?: { errorCode?: number | null } | null;
  authenticationDetails?: Array<{ authenticationMethod?: string | null; succeeded?: boolean | null }> | null;
}

/** The newest successful sign-in of a user in which a password step succeeded. */
function lastPasswordUse(signIns: readonly SignInWithDetails[], userId: string): Date | undefined {
  let newest: Date | undefined;
  for (const s of signIns) {
    if (norm(s.userId) !== norm(userId)) continue;
    if ((s.status?.errorCode ?? 0) !== 0) continue;
    const usedPassword = (s.authenticationDetails ?? []).some(
      (d) => (d.authenticationMethod ?? "").toLowerCase() === "password" && d.succeeded === true,
    );
    const at = parseDate(s.createdDateTime);
    if (usedPassword && at && (!newest || at > newest)) newest = at;
  }
  return newest;
}

export const check = defineCheck(import.meta.url, {
  id: "EA-ACC-06",
  title: "The emergency accounts' passwords are rotated, and changed after each use",
  severity: "low",
  sources: ["000"],
  needs: ["users"],
  // Sign-in logs need Entra ID P1: where the tenant provably has none, only the age can be graded.
  needsFor: (ctx) => (licenceTier(ctx.snapshot)?.p1 === false ? [] : ["signIns"]),
  appliesTo(ctx) {
    if (ctx.config.profile.passwords === "discarded")
      return "profile passwords: discarded (the accounts are passwordless; nothing to rotate)";
    return needsAccounts(ctx);
  },
  evaluate(ctx) {
    const maxAge = ctx.config.profile.passwordMaxAgeDays;
    const signInsRead = isAvailable(ctx.snapshot, "signIns");
    const signIns = (ctx.snapshot.signIns ?? []) as SignInWithDetails[];
    const findings: Finding[] = [];
    for (const { account, user, subject, label } of eachAccount(ctx, findings)) {
      const changed = parseDate(user.lastPasswordChangeDateTime);
      if (!changed) {
        findings.push({
          status: "unknown",
          subject,
          message: `${label}: lastPasswordChangeDateTime is not in the snapshot`,
          evidence: { lastPasswordChangeDateTime: user.lastPasswordChangeDateTime ?? null },
        });
        continue;
      }
      const age = daysBetween(changed, ctx.now);
      const used = signInsRead ? lastPasswordUse(signIns, account.id) : undefined;
      const evidence = {
        lastPasswordChangeDateTime: changed.toISOString(),
        ageDays: age,
        passwordMaxAgeDays: maxAge,
        lastPasswordSignIn: used?.toISOString() ?? null,
      };
      const remediation = {
        summary: "Reset the password to a new random 40+ character value and store it as the runbook says",
        portal:
          "Microsoft Entra admin center > Identity > Users > All users > select the user > Reset password",
        graph: `PATCH https://graph.microsoft.com/v1.0/users/${account.id} {"passwordProfile":{"password":"<new>","forceChangePasswordNextSignIn":false}}`,
        powershell: `Update-MgUser -UserId ${account.id} -PasswordProfile @{Password="<new>";ForceChangePasswordNextSignIn=$false}`,
      };
      findings.push(
        gradeFinding(
          { subject, evidence, remediation },
          [
            age > maxAge && {
              status: "fail",
              message: `${label}: the password is ${age} days old, older than the ${maxAge} days the profile allows`,
            },
            !!used &&
              used > changed && {
                status: "fail",
                message: `${label}: the password was used to sign in on ${used.toISOString()} and not changed since (last change ${changed.toISOString()})`,
              },
          ],
          {
            status: "pass",
            message: `${label}: password changed ${age} days ago${used ? ", after its last use" : ""}`,
          },
        ),
      );
    }
    return findings;
  },
});
