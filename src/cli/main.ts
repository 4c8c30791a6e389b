/**
 * The `breakglass` command. This file only builds the command tree: each command lives in
 * commands/<name>.ts, parses its flags, wires the core and prints.
 */
import { Command, CommanderError } from "commander";
import { exitCodeOf } from "./errors.js";
import { commands } from "./commands/index.js";
import { sanitizeForTerminal } from "../report/escape.js";
import { VERSION } from "../version.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("breakglass")
    .description(
      "Build, prove, watch and drill the emergency access accounts of a Microsoft Entra ID tenant.",
    )
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed the message; usage errors are exit code 2 (report.md).
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return 0;
      return 2;
    }
    const code = exitCodeOf(err);
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`breakglass: ${sanitizeForTerminal(message)}\n`);
    if (code === 1 && process.env.BREAKGLASS_DEBUG && err instanceof Error)
      process.stderr.write(`${err.stack}\n`);
    return code;
  }
}
