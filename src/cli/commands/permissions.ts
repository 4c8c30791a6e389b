/**
 * `breakglass permissions [COMMAND]`: what a command needs, from the table `export` also uses to
 * name missing permissions (src/collect/permissions.ts), for every command of the program, with
 * the lines to copy: `Connect-MgGraph -Scopes ...` for a signed-in administrator and
 * `az ad app permission add ...` for an application. Graph permission ids are never written here:
 * each az line looks its id up by name in the tenant's Microsoft Graph service principal.
 */
import { EXIT_TEXT, helpText } from "../conventions.js";
import type { Command } from "commander";
import {
  COMMAND_PERMISSIONS,
  applicationPermissions,
  applicationRoles,
  delegatedWriteRoles,
} from "../../collect/permissions.js";
import { UsageError } from "../../errors.js";

/** Microsoft Graph's application id, the same in every tenant. */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

/**
 * Every command of the program and whose table it reads with: a command that reads the tenant as
 * another does names it; one that reads no tenant says why.
 */
export const COMMAND_READS: Readonly<Record<string, { as: string; note?: string } | { none: string }>> = {
  assess: { as: "export", note: "reads the tenant as export does; with --snapshot it needs nothing" },
  discover: { none: "reads a snapshot file" },
  ca: { as: "export", note: "reads the tenant as export does; with --snapshot it needs nothing" },
  export: { as: "export" },
  init: { as: "export", note: "reads the tenant as export does; with --snapshot it needs nothing" },
  plan: { as: "plan" },
  "export-rules": { as: "plan", note: "reads the tenant as plan does; with --snapshot it needs nothing" },
  apply: { as: "apply" },
  enroll: { as: "enroll" },
  drill: { as: "drill" },
  due: { as: "drill", note: "reads the accounts as drill does" },
  use: { as: "drill", note: "reads the account and its keys as drill does; with --offline it needs nothing" },
  runbook: { none: "reads the configuration and the records beside it" },
  permissions: { none: "prints this" },
  logs: { none: "reads exported log files" },
  emulator: { none: "serves a snapshot file locally" },
  demo: { none: "reads the local emulator's sample tenant" },
};

/** `Connect-MgGraph -Scopes "A","B"`: the delegated scopes of a command, for a signed-in administrator. */
export function connectLine(command: string): string {
  const entry = COMMAND_PERMISSIONS[command]!;
  const scopes = new Set([
    ...entry.graph.flatMap((r) => r.delegated),
    ...(entry.writes ?? []).flatMap((r) => r.application),
  ]);
  return `Connect-MgGraph -Scopes ${[...scopes]
    .sort()
    .map((s) => `"${s}"`)
    .join(",")}`;
}

/**
 * One `az ad app permission add` per application permission, each id looked up by its name among
 * the appRoles of the tenant's Microsoft Graph service principal, then the admin consent.
 */
export function azLines(command: string): string[] {
  const lookup = (permission: string) =>
    `$(az ad sp show --id ${GRAPH_APP_ID} --query "appRoles[?value=='${permission}'].id | [0]" -o tsv)`;
  return [
    ...applicationPermissions(command).map(
      (permission) =>
        `az ad app permission add --id "$APP_ID" --api ${GRAPH_APP_ID} --api-permissions "${lookup(permission)}=Role"  # ${permission}`,
    ),
    `az ad app permission admin-consent --id "$APP_ID"`,
  ];
}

export function permissionsText(command: string): string {
  const reads = COMMAND_READS[command];
  if (!reads)
    throw new UsageError(
      `permissions: unknown command "${command}"; known: ${Object.keys(COMMAND_READS).join(", ")}`,
    );
  if ("none" in reads) return `breakglass ${command}\n\nNo tenant permission: it ${reads.none}.\n`;
  if (reads.as !== command)
    return `breakglass ${command}\n\nThe permissions of ${reads.as}: it ${reads.note ?? `reads as ${reads.as} does`} (breakglass permissions ${reads.as}).\n`;
  const entry = COMMAND_PERMISSIONS[command]!;
  const lines: string[] = [`breakglass ${command}`, ""];
  lines.push("Microsoft Graph application permissions (least privileged; grant admin consent):");
  for (const p of applicationPermissions(command)) lines.push(`  ${p}`);
  lines.push("");
  lines.push("Delegated (a signed-in admin): scopes, and the least Entra role per read:");
  const width = Math.max(...entry.graph.map((r) => r.path.length));
  for (const r of entry.graph)
    lines.push(`  ${r.path.padEnd(width)}  ${r.delegated.join(" + ")}  (role: ${r.role})`);
  if (entry.writes?.length) {
    const roles = applicationRoles(command);
    if (roles.length) {
      lines.push("");
      lines.push(
        `Entra roles the application also needs (app-only): ${roles.join(", ")} (the accounts are administrators from the moment they join the role-assignable group; permissions alone cannot change their credentials or methods).`,
      );
    }
    lines.push("");
    lines.push(
      "Restricted-management administrative unit (profile.restrictedAU, or an adopted setup's): once the accounts and the group are in one, neither the permissions above nor tenant-wide roles reach them; maintaining them needs roles assigned at the unit's scope (Privileged Authentication Administrator for methods and passwords, User Administrator or License Administrator for properties and licences, Groups Administrator for the group). apply refuses, before sending anything, a run that would need them without them.",
    );
    lines.push("");
    lines.push(
      `Delegated (recommended): an administrator signed in through the interactive browser flow, holding ${delegatedWriteRoles(command).join(", ")} (or Global Administrator). Not device code (phishable, and blocked by Microsoft-managed policies), and not an application holding write permissions.`,
    );
    lines.push("");
    lines.push("Writes: request, application permissions (all needed), least Entra role:");
    const ww = Math.max(...entry.writes.map((r) => r.request.length));
    for (const r of entry.writes) {
      lines.push(
        `  ${r.request.padEnd(ww)}  ${r.application.join(" + ")}  (role: ${r.role})  ${r.kind}: ${r.write}`,
      );
    }
  }
  if (entry.azure.length) {
    lines.push("");
    lines.push("Azure RBAC (per scope):");
    const aw = Math.max(...entry.azure.map((r) => r.path.length));
    for (const r of entry.azure) lines.push(`  ${r.path.padEnd(aw)}  ${r.role} at ${r.scope}`);
  }
  lines.push("");
  lines.push("Which section needs which application permission:");
  for (const r of entry.graph) lines.push(`  ${r.path.padEnd(width)}  ${r.application.join(" + ")}`);
  lines.push("");
  lines.push("A signed-in administrator (Microsoft Graph PowerShell):");
  lines.push(`  ${connectLine(command)}`);
  lines.push("");
  lines.push(
    "An application (Azure CLI; APP_ID is its application id, each permission id looked up by name):",
  );
  for (const line of azLines(command)) lines.push(`  ${line}`);
  return lines.join("\n") + "\n";
}

export function register(program: Command): void {
  program
    .command("permissions")
    .description("print the Graph permissions, Entra roles and Azure RBAC roles a command needs")
    .addHelpText(
      "after",
      helpText(
        ["breakglass permissions export", "breakglass permissions apply"],
        [EXIT_TEXT.ok, "2 unknown command", EXIT_TEXT.internal],
      ),
    )
    .argument("[command]", "any command of breakglass (default: every one that reads the tenant)")
    .action((command: string | undefined) => {
      const commands = command ? [command] : Object.keys(COMMAND_PERMISSIONS);
      process.stdout.write(commands.map(permissionsText).join("\n"));
    });
}
