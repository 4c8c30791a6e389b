/**
 * Conventions every command follows (docs/exit-codes.md for the codes): one word for the human
 * output (`console`, with `text` accepted as its other name), and a help text that ends with two or
 * three examples and the exit codes the command can return.
 */
import type { Command, Option } from "commander";
import { UsageError } from "../errors.js";

/** The human output and the machine output of a command that has no other format. */
export type HumanFormat = "console" | "json";

/** `console`, `text` (the same) or `json`; anything else is a usage error naming the choices. */
export function parseHumanFormat(value: string): HumanFormat {
  const v = value.trim().toLowerCase();
  if (v === "console" || v === "text") return "console";
  if (v === "json") return "json";
  throw new UsageError(`--format: unknown format ${JSON.stringify(value)}; allowed: console (or text), json`);
}

/** The exit codes of docs/exit-codes.md, as a help text names them. */
export const EXIT_TEXT = {
  ok: "0 done",
  findings: "1 findings",
  usage: "2 usage, input or output error",
  unreadable: "3 the tenant could not be read",
  internal: "70 internal error",
} as const;

/** The text under a command's help: its examples, then its exit codes. */
export const helpText = (examples: readonly string[], exits: readonly string[]): string =>
  `\nExamples:\n${examples.map((e) => `  ${e}`).join("\n")}\n\nExit codes: ${exits.join("; ")}.`;

/** Adds the examples and the exit codes under a command's help. */
export const withHelp = (command: Command, examples: readonly string[], exits: readonly string[]): Command =>
  command.addHelpText("after", helpText(examples, exits));

/**
 * The options every command takes (gh's and Terraform's conventions): a command that gives them a
 * meaning of its own (assess, demo) keeps it; on the others they are added here with the meaning
 * below, so `--quiet`, `--verbose` and `--no-color` never fail as unknown options.
 */
export const COMMON_OPTIONS = [
  { flags: "--quiet", description: "print only the result and errors (no progress or notes on stderr)" },
  { flags: "--verbose", description: "on stderr, the exit code at the end and an internal error's stack" },
  {
    flags: "--no-color",
    description: "no ANSI colours (also when NO_COLOR is set or stdout is not a terminal)",
  },
] as const;

/** The commands that run (not the groups such as `ca`, `drill`, `logs`), depth first. */
export function leafCommands(command: Command): Command[] {
  return command.commands.flatMap((sub) => (sub.commands.length > 0 ? leafCommands(sub) : [sub]));
}

/** Every command of the tree, groups included, depth first. */
export function allCommands(command: Command): Command[] {
  return command.commands.flatMap((sub) => [sub, ...allCommands(sub)]);
}

/** The options of COMMON_OPTIONS a command was given here (not its own): what they do is ours. */
const addedHere = new WeakMap<Command, Set<string>>();

/**
 * Gives every command the common options it lacks and marks required options "(required)" in the
 * help, since commander's help does not say which options must be given.
 */
export function applyConventions(program: Command): void {
  for (const command of allCommands(program)) {
    for (const option of command.options as readonly Option[])
      if (option.mandatory && !/\(required\)/.test(option.description))
        option.description = `${option.description} (required)`;
    if (command.commands.length > 0) continue;
    const added = new Set<string>();
    for (const common of COMMON_OPTIONS) {
      const name = common.flags.replace(/^--(no-)?/, "");
      const has = (command.options as readonly Option[]).some(
        (o) => o.attributeName() === name.replace(/-./g, (m) => m[1]!.toUpperCase()),
      );
      if (has) continue;
      command.option(common.flags, common.description);
      added.add(common.flags);
    }
    addedHere.set(command, added);
  }
}

/** Whether `flag` on `command` is one applyConventions added (its meaning is the common one). */
export const conventionAdded = (command: Command, flag: (typeof COMMON_OPTIONS)[number]["flags"]): boolean =>
  addedHere.get(command)?.has(flag) === true;
