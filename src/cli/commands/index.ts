import type { Command } from "commander";
import { register as registerAssess } from "./assess.js";

/** Every command of the CLI, in the order `--help` lists them. One file each. */
export const commands: Array<(program: Command) => void> = [registerAssess];
