import { isHardwareKey, lookupAaguid } from "./aaguid.js";
import {
  defineCheck,
  eachAccount,
  fido2Methods,
  gradeFinding,
  needsAccounts,
  perAccountNeeds,
  sortedUnique,
} from "./lib/index.js";
import type { Finding } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-AUTH-02",
  title: "Each emergency account's keys span two models, of two vendors",
  severity: "medium",
  sources: ["004"],
  needs: ["users"],
  needsFor: (ctx) => perAccountNeeds(ctx, "authenticationMethods"),
  appliesTo(ctx) {
    const { keysPerAccount, allowedMethods } = ctx.config.profile;
    if (!allowedMethods.includes("fido2")) return "profile allowedMethods does not include fido2";
    if (keysPerAccount < 2)
      return `profile keysPerAccount is ${keysPerAccount}: one key per account, no diversity to check`;
    return needsAccounts(ctx);
  },
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const { account, subject, label, methods } of eachAccount(ctx, findings, "authenticationMethods")) {
      const keys = fido2Methods(methods)
        .filter(isHardwareKey)
        .map((m) => lookupAaguid(m.aaGuid))
        .sort((a, b) => a.aaguid.localeCompare(b.aaguid));
      const models = sortedUnique(keys.map((k) => k.aaguid));
      const vendors = sortedUnique(keys.map((k) => k.vendor ?? "?"));
      const evidence = {
        keys: keys.map((k) => ({ aaGuid: k.aaguid, model: k.model ?? null, vendor: k.vendor ?? null })),
        models: models.length,
        vendors,
      };
      const remediation = {
        summary:
          "Register a second key of another model and vendor (a firmware flaw or recall then takes out only one)",
        portal:
          "Sign in as the account at https://mysignins.microsoft.com/security-info > Add sign-in method > Security key",
        graph: `GET https://graph.microsoft.com/v1.0/users/${account.id}/authentication/fido2Methods`,
        powershell: `Get-MgUserAuthenticationFido2Method -UserId ${account.id} | Select-Object Model, AaGuid`,
      };
      findings.push(
        gradeFinding(
          { subject, evidence, remediation },
          [
            models.length < 2 && {
              status: "fail",
              message: `${label}: its hardware keys are all one model (${keys.map((k) => k.model ?? k.aaguid)[0] ?? "no hardware key"}): one model's defect or recall locks it out`,
            },
            !vendors.includes("?") &&
              vendors.length < 2 && {
                status: "warn",
                message: `${label}: two models, but both from ${vendors[0]}: a vendor-wide flaw hits both`,
              },
          ],
          { status: "pass", message: `${label}: ${models.length} key models from ${vendors.join(", ")}` },
        ),
      );
    }
    return findings;
  },
});
