/**
 * The `breakglass` command. This file only builds the command tree: each command lives in
 * commands/<name>.ts, parses its flags, wires the core and prints.
 */
import { Command, CommanderError } from "commander";
import { EXIT, errorLine, exitCodeOf } from "../errors.js";
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
    .option("--debug", "on an internal error (exit 70), print its stack")
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/**
 * Runs the command and returns its exit code (docs/exit-codes.md). An error with a code of its own
 * (2-5) or a file-system error (2) prints one line; anything else is a bug: exit 70, "internal
 * error", and its stack only under --debug (or BREAKGLASS_DEBUG), since a stack can quote tenant data.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed the message; usage errors are exit code 2.
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return EXIT.ok;
      return EXIT.usage;
    }
    const code = exitCodeOf(err);
    process.stderr.write(`breakglass: ${sanitizeForTerminal(errorLine(err))}\n`);
    const debug = argv.includes("--debug") || !!process.env.BREAKGLASS_DEBUG;
    if (code === EXIT.internal && debug && err instanceof Error && err.stack)
      process.stderr.write(`${sanitizeForTerminal(err.stack)}\n`);
    return code;
  }
}
