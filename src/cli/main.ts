/**
 * The `breakglass` command. This file only builds the command tree: each command lives in
 * commands/<name>.ts, parses its flags, wires the core and prints.
 */
import module from "node:module";
import { Command, CommanderError } from "commander";
import { EXIT, errorLine, exitCodeOf } from "../errors.js";
import { commands } from "./commands/index.js";
import { applyConventions, conventionAdded } from "./conventions.js";
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
  applyConventions(program);
  program.hook("preAction", (_program, action) => startRun(action));
  return program;
}

/**
 * What the common options changed for the run under way, undone when it ends (main runs commands
 * in-process in tests, so nothing may outlive a run).
 */
interface RunState {
  /** the command path, for --verbose's last line. */
  path: string;
  verbose: boolean;
  undo: Array<() => void>;
}
let run: RunState | undefined;

function startRun(action: Command): void {
  const opts = action.opts<{ quiet?: boolean; verbose?: boolean; color?: boolean }>();
  const path: string[] = [];
  for (let c: Command | null = action; c?.parent; c = c.parent) path.unshift(c.name());
  run = {
    path: path.join(" "),
    verbose: opts.verbose === true && conventionAdded(action, "--verbose"),
    undo: [],
  };
  if (opts.color === false && process.env.NO_COLOR === undefined) {
    // --no-color beside NO_COLOR: whatever reads NO_COLOR (every renderer here, picocolors) turns colour off.
    process.env.NO_COLOR = "1";
    run.undo.push(() => delete process.env.NO_COLOR);
  }
  if (opts.quiet === true && conventionAdded(action, "--quiet")) {
    // Only the result (stdout) and errors and warnings (our "breakglass: " lines) stay.
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
      String(chunk).startsWith("breakglass: ")
        ? write(chunk, ...(rest as []))
        : true) as typeof process.stderr.write;
    run.undo.push(() => void (process.stderr.write = write));
  }
}

/** Undoes what the run's common options changed; --verbose says how the command ended. */
function endRun(code: number): void {
  if (!run) return;
  const ended = run;
  run = undefined;
  for (const undo of ended.undo.reverse()) undo();
  if (ended.verbose) process.stderr.write(`breakglass: ${ended.path} exited ${code}\n`);
}

/**
 * Runs the command and returns its exit code (docs/exit-codes.md). An error with a code of its own
 * (2-5) or a file-system error (2) prints one line; anything else is a bug: exit 70, "internal
 * error", and its stack only under --debug (or BREAKGLASS_DEBUG), since a stack can quote tenant data.
 */
export async function main(argv: string[]): Promise<number> {
  // Commands report their code through process.exitCode. A code an earlier in-process run left there
  // is not this run's: it starts clean, and the caller's value is back when the run ends.
  const callersCode = process.exitCode;
  process.exitCode = undefined;
  try {
    const program = await buildProgram(commandsFor(argv));
    await program.parseAsync(argv);
    const code = typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
    endRun(code);
    return code;
  } catch (err) {
    const verbose = run?.verbose === true;
    if (err instanceof CommanderError) {
      endRun(EXIT.usage);
      // commander already printed the message; usage errors are exit code 2.
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return EXIT.ok;
      return EXIT.usage;
    }
    const code = exitCodeOf(err);
    endRun(code);
    process.stderr.write(`breakglass: ${sanitizeForTerminal(errorLine(err))}\n`);
    const debug = verbose || argv.includes("--debug") || !!process.env.BREAKGLASS_DEBUG;
    if (code === EXIT.internal && debug && err instanceof Error && err.stack)
      process.stderr.write(`${sanitizeForTerminal(err.stack)}\n`);
    return code;
  } finally {
    process.exitCode = callersCode;
  }
}
