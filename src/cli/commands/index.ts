import type { Command } from "commander";
import { register as registerAssess } from "./assess.js";
import { register as registerCa } from "./ca.js";
import { registerDiscover } from "./discover.js";
import { register as registerEmulator } from "./emulator.js";

/** Every command of the CLI, in the order `--help` lists them. One file each. */
export const commands: Array<(program: Command) => void> = [
  registerAssess,
  registerDiscover,
  registerCa,
  registerEmulator,
];
