import type { Command } from "commander";
import { register as registerDemo } from "./demo.js";
import { register as registerExport } from "./export.js";
import { register as registerPermissions } from "./permissions.js";

/** Every command of the CLI, in the order `--help` lists them. One file each. */
export const commands: Array<(program: Command) => void> = [
  registerExport,
  registerPermissions,
  registerDemo,
];
