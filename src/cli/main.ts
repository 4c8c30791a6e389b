/**
 * The `breakglass` command. This file only builds the command tree: each command lives in
 * commands/<name>.ts, parses its flags, wires the core and prints.
 */
import module from "node:module";
import { Command, CommanderError } from "commander";
import { exitCodeOf } from "./errors.js";
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
    .showHelpAfterError()
    .exitOverride();
  const registers = await Promise.all(names.map((name) => commands[name]!()));
  for (const register of registers) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(commandsFor(argv));
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed the message; usage errors are exit code 2 (docs/report.md).
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
