/**
 * `breakglass permissions` answers for every command of the program, and prints lines to copy:
 * `Connect-MgGraph -Scopes` with the command's delegated scopes, and one `az ad app permission add`
 * per application permission whose id az looks up by name (no permission id is written down).
 */
import { describe, expect, it } from "vitest";
import {
  azLines,
  COMMAND_READS,
  connectLine,
  GRAPH_APP_ID,
  permissionsText,
} from "../../src/cli/commands/permissions.js";
import { allCommands } from "../../src/cli/conventions.js";
import { buildProgram } from "../../src/cli/main.js";
import { applicationPermissions } from "../../src/collect/permissions.js";
import { exitCodeOf } from "../../src/errors.js";

describe("breakglass permissions", () => {
  it("knows every top-level command of the program", async () => {
    const program = await buildProgram();
    const names = program.commands.map((c) => c.name()).sort();
    expect(Object.keys(COMMAND_READS).sort()).toEqual(names);
    for (const name of names) expect(() => permissionsText(name)).not.toThrow();
    expect(allCommands(program).length).toBeGreaterThan(names.length);
  });

  it("prints Connect-MgGraph with the delegated scopes, quoted and comma-separated", () => {
    const line = connectLine("export");
    expect(line).toMatch(/^Connect-MgGraph -Scopes "[A-Za-z.-]+"(,"[A-Za-z.-]+")+$/);
    expect(line).toContain('"User.Read.All"');
    expect(line).toContain('"AuditLog.Read.All"');
    expect(connectLine("apply")).toContain('"Policy.ReadWrite.ConditionalAccess"');
    expect(permissionsText("export")).toContain(line);
  });

  it("prints one az line per application permission, each id looked up by name, then the consent", () => {
    for (const command of ["export", "apply", "enroll", "drill"]) {
      const lines = azLines(command);
      const permissions = applicationPermissions(command);
      expect(lines).toHaveLength(permissions.length + 1);
      permissions.forEach((permission, i) => {
        expect(lines[i]).toBe(
          `az ad app permission add --id "$APP_ID" --api ${GRAPH_APP_ID} --api-permissions "$(az ad sp show --id ${GRAPH_APP_ID} --query "appRoles[?value=='${permission}'].id | [0]" -o tsv)=Role"  # ${permission}`,
        );
        // No permission GUID is written down: the only GUID is Microsoft Graph's application id.
        expect(lines[i]!.replace(new RegExp(GRAPH_APP_ID, "g"), "")).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
      });
      expect(lines.at(-1)).toBe('az ad app permission admin-consent --id "$APP_ID"');
    }
  });

  it("says what a command reads instead: another command's permissions, or none", () => {
    expect(permissionsText("assess")).toContain("breakglass permissions export");
    expect(permissionsText("export-rules")).toContain("breakglass permissions plan");
    expect(permissionsText("logs")).toContain("No tenant permission");
    expect(permissionsText("drill")).toContain("AuditLog.Read.All");
    let error: unknown;
    try {
      permissionsText("repair");
    } catch (e) {
      error = e;
    }
    expect(exitCodeOf(error)).toBe(2);
    expect((error as Error).message).toContain('unknown command "repair"; known: assess, discover');
  });
});
