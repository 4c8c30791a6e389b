/**
 * One vocabulary across commands: `--format console|json` with `text` as the other name of
 * `console`, and a help that ends with examples and the exit codes.
 */
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commands } from "../../src/cli/commands/index.js";
import { parseHumanFormat } from "../../src/cli/conventions.js";
import { exitCodeOf } from "../../src/errors.js";

/** The commands whose help this test holds to the convention (each command's own session adds its own). */
const COVERED = ["assess", "discover", "ca", "export", "init", "plan", "permissions", "emulator", "demo"];

async function helpOf(path: string[]): Promise<string> {
  const program = new Command().exitOverride();
  let text = "";
  program.configureOutput({ writeOut: (s) => void (text += s), writeErr: (s) => void (text += s) });
  (await commands[path[0]!]!())(program);
  let command = program.commands.find((c) => c.name() === path[0])!;
  for (const name of path.slice(1)) command = command.commands.find((c) => c.name() === name)!;
  command.configureOutput({ writeOut: (s) => void (text += s), writeErr: (s) => void (text += s) });
  command.outputHelp();
  return text;
}

describe("help", () => {
  const paths = [...COVERED.map((c) => [c]), ["ca", "whatif"], ["ca", "prove"], ["ca", "check-change"]];
  it.each(paths.map((p) => [p.join(" "), p]))(
    "%s ends with two or three examples and the exit codes",
    async (_, path) => {
      const help = await helpOf(path as string[]);
      const examples = help.slice(help.indexOf("Examples:"));
      expect(help).toContain("Examples:");
      const lines = examples.split("\n").filter((l) => /^ {2}breakglass /.test(l));
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.length).toBeLessThanOrEqual(3);
      // Every example names the command it documents.
      for (const line of lines)
        expect(line.trim().startsWith(`breakglass ${(path as string[]).join(" ")}`)).toBe(true);
      expect(help).toMatch(/Exit codes: 0 [^\n]*; 2 [^\n]*70 internal error\./);
    },
  );
});

describe("--format", () => {
  it("takes console, text (the same) or json, and refuses anything else naming the choices", () => {
    expect(parseHumanFormat("console")).toBe("console");
    expect(parseHumanFormat("text")).toBe("console");
    expect(parseHumanFormat("JSON")).toBe("json");
    let err: unknown;
    try {
      parseHumanFormat("html");
    } catch (e) {
      err = e;
    }
    expect(exitCodeOf(err)).toBe(2);
    expect((err as Error).message).toContain("allowed: console (or text), json");
  });
});
