/**
 * `breakglass permissions [COMMAND]`: what a command needs, from the table `export` also uses to
 * name missing permissions (src/collect/permissions.ts).
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

export function permissionsText(command: string): string {
  const entry = COMMAND_PERMISSIONS[command];
  if (!entry)
    throw new UsageError(
      `permissions: unknown command "${command}"; known: ${Object.keys(COMMAND_PERMISSIONS).join(", ")}`,
    );
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
    .argument("[command]", "export, plan, apply or enroll (default: every one)")
    .action((command: string | undefined) => {
      const commands = command ? [command] : Object.keys(COMMAND_PERMISSIONS);
      process.stdout.write(commands.map(permissionsText).join("\n"));
    });
}
