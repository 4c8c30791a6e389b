/**
 * `breakglass permissions [COMMAND]`: what a command needs, from the table `export` also uses to
 * name missing permissions (src/collect/permissions.ts).
 */
import type { Command } from "commander";
import { COMMAND_PERMISSIONS, applicationPermissions } from "../../collect/permissions.js";
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
  lines.push("");
  lines.push("Azure RBAC (per scope):");
  const aw = Math.max(...entry.azure.map((r) => r.path.length));
  for (const r of entry.azure) lines.push(`  ${r.path.padEnd(aw)}  ${r.role} at ${r.scope}`);
  lines.push("");
  lines.push("Which section needs which application permission:");
  for (const r of entry.graph) lines.push(`  ${r.path.padEnd(width)}  ${r.application.join(" + ")}`);
  return lines.join("\n") + "\n";
}

export function register(program: Command): void {
  program
    .command("permissions")
    .description("print the Graph permissions, Entra roles and Azure RBAC roles a command needs")
    .argument("[command]", "the command (default: every command that reads the tenant)")
    .action((command: string | undefined) => {
      const commands = command ? [command] : Object.keys(COMMAND_PERMISSIONS);
      process.stdout.write(commands.map(permissionsText).join("\n"));
    });
}
