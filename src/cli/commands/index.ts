import type { Command } from "commander";
import { register as registerAssess } from "./assess.js";
import { register as registerCa } from "./ca.js";
import { register as registerDemo } from "./demo.js";
import { registerDiscover } from "./discover.js";
import { register as registerEmulator } from "./emulator.js";
import { register as registerExport } from "./export.js";
import { register as registerInit } from "./init.js";
import { register as registerPermissions } from "./permissions.js";
import { register as registerPlan } from "./plan.js";

/** Every command of the CLI, in the order `--help` lists them. One file each. */
export const commands: Array<(program: Command) => void> = [
  registerAssess,
  registerDiscover,
  registerCa,
  registerExport,
  registerInit,
  registerPlan,
  registerPermissions,
  registerEmulator,
  registerDemo,
];
