/**
 * The `breakglass` command. This file only builds the command tree: each command lives in
 * commands/<name>.ts, parses its flags, wires the core and prints.
 */
import module from "node:module";
import { Command, CommanderError } from "commander";
import { EXIT, errorLine, exitCodeOf } from "../errors.js";
import { commands } from "./commands/index.js";
import { sanitizeForTerminal } from "../report/escape.js";
import { VERSION } from "../version.js";

// Node 22.1+ keeps compiled code between runs, which shortens every start; Node 20 lacks it.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

/**
 * The commands argv needs registered: the one it runs, none for `--version` alone, and every one
 * for help, `help <command>` or an unknown command (whose error suggests the known ones). The
 * program has no option that takes a value, so the first word that is not an option is the command.
 */
export function commandsFor(argv: string[]): string[] {
  const args = argv.slice(2);
  const word = args.find((a) => !a.startsWith("-"));
  if (word !== undefined && Object.hasOwn(commands, word)) return [word];
  const asksVersion = args.some((a) => a === "-V" || a === "--version");
  const asksHelp = args.some((a) => a === "-h" || a === "--help");
  if (word === undefined && asksVersion && !asksHelp) return [];
  return Object.keys(commands);
}

export async function buildProgram(names: string[] = Object.keys(commands)): Promise<Command> {
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
  const registers = await Promise.all(names.map((name) => commands[name]!()));
  for (const register of registers) register(program);
  return program;
}

/**
 * Runs the command and returns its exit code (docs/exit-codes.md). An error with a code of its own
 * (2-5) or a file-system error (2) prints one line; anything else is a bug: exit 70, "internal
 * error", and its stack only under --debug (or BREAKGLASS_DEBUG), since a stack can quote tenant data.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(commandsFor(argv));
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
