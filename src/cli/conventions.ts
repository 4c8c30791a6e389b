/**
 * Conventions every command follows (docs/exit-codes.md for the codes): one word for the human
 * output (`console`, with `text` accepted as its other name), and a help text that ends with two or
 * three examples and the exit codes the command can return.
 */
import type { Command } from "commander";
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
