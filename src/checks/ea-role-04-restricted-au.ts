import { isAvailable, objectPath } from "../snapshot/availability.js";
import { norm } from "../snapshot/directory.js";
import { accountLabel, defineCheck, lacksLicence, needsAccounts, userSubject } from "./lib/index.js";
import type { Finding, Subject } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-ROLE-04",
  title: "The emergency accounts and group sit in a restricted-management administrative unit",
  severity: "low",
  sources: ["beyond seeds"],
  needs: ["users", "administrativeUnits"],
  // Membership of every administrative unit: any of them may be the restricted one; and the groups,
  // without which a configured emergency group cannot be found to grade.
  needsFor: (ctx) => [
    ...(ctx.config.group ? ["groups"] : []),
    ...(ctx.snapshot.administrativeUnits ?? []).map((au) =>
      objectPath("administrativeUnits", au.id, "members"),
    ),
  ],
  appliesTo(ctx) {
    return lacksLicence(ctx, "p1", "Administrative units") ?? needsAccounts(ctx);
  },
  evaluate(ctx) {
    if (!isAvailable(ctx.snapshot, "administrativeUnits")) return [];
    const restricted = (ctx.snapshot.administrativeUnits ?? []).filter(
      (au) =>
        au.isMemberManagementRestricted === true &&
        isAvailable(ctx.snapshot, objectPath("administrativeUnits", au.id, "members")),
    );
    const unreadable = (ctx.snapshot.administrativeUnits ?? []).filter(
      (au) =>
        au.isMemberManagementRestricted === true &&
        !isAvailable(ctx.snapshot, objectPath("administrativeUnits", au.id, "members")),
    );
    const holding = (id: string) =>
      restricted
        .filter((au) => (au.members ?? []).some((m) => norm(m.id) === norm(id)))
        .map((au) => au.displayName ?? au.id)
        .sort();
    const subjects: Array<{ subject: Subject; label: string }> = ctx.accounts.resolved.map((a) => ({
      subject: userSubject(a),
      label: accountLabel(a),
    }));
    if (ctx.accounts.group)
      subjects.push({
        subject: {
          type: "group",
          id: ctx.accounts.group.id,
          displayName: ctx.accounts.group.displayName ?? null,
        },
        label: `the emergency group ${ctx.accounts.group.displayName ?? ctx.accounts.group.id}`,
      });
    const findings: Finding[] = [];
    for (const { subject, label } of subjects) {
      const aus = holding(subject.id);
      if (!aus.length && unreadable.length) {
        findings.push({
          status: "unknown",
          subject,
          message: `${label} is in no restricted-management AU whose members were read; the members of ${unreadable.map((au) => au.displayName ?? au.id).join(", ")} could not be read`,
        });
        continue;
      }
      findings.push(
        aus.length
          ? {
              status: "pass",
              subject,
              message: `${label} is in restricted-management AU ${aus.join(", ")}`,
              evidence: { administrativeUnits: aus },
            }
          : {
              status: "fail",
              subject,
              message: `${label} is in no restricted-management administrative unit: tenant-wide User, Groups, Authentication and Helpdesk Administrators can reset, disable or re-register it`,
              evidence: {
                restrictedAdministrativeUnits: restricted.map((au) => au.displayName ?? au.id).sort(),
              },
              remediation: {
                summary:
                  "Create a restricted-management administrative unit (immutable after creation) and add the accounts and the group",
                portal:
                  "Microsoft Entra admin center > Identity > Roles & admins > Admin units > Add > Restricted management administrative unit: Yes; then Users / Groups > Add member",
                graph:
                  'POST https://graph.microsoft.com/v1.0/directory/administrativeUnits {"displayName":"…","isMemberManagementRestricted":true}; POST …/administrativeUnits/{id}/members/$ref {"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/{object-id}"}',
                powershell:
                  'New-MgDirectoryAdministrativeUnit -DisplayName "…" -IsMemberManagementRestricted; New-MgDirectoryAdministrativeUnitMemberByRef -AdministrativeUnitId <au-id> -OdataId "https://graph.microsoft.com/v1.0/directoryObjects/<object-id>"',
                command: "breakglass apply --target au",
              },
            },
      );
    }
    return findings;
  },
});
