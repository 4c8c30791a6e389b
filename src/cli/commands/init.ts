/**
 * `breakglass init [--out FILE] [--snapshot FILE]`: a starting configuration for the tenant it
 * reads (docs/deploy.md "Commands"): obscure names generated now with a CSPRNG and fixed from then
 * on, the initial domain, the accounts that look like emergency accounts offered for adoption.
 * Never overwrites an existing file (exit 2).
 */
import { EXIT_TEXT, helpText } from "../conventions.js";
import { randomInt } from "node:crypto";
import { resolve } from "node:path";
import type { Command } from "commander";
import { readLiveTenant } from "../../collect/live.js";
import { defaultConfig } from "../../config/schema.js";
import { initDocument } from "../../deploy/init.js";
import { AUTH_METHODS, type AuthMethod } from "../../graph/index.js";
import { loadSnapshot } from "../../snapshot/load.js";
import type { Snapshot } from "../../snapshot/schema.js";
import { UsageError } from "../../errors.js";
import { parseAuth } from "./export.js";
import { writeNewFile } from "./plan.js";

export function register(program: Command): void {
  program
    .command("init")
    .description("write a starting configuration for this tenant (generated names, fixed from then on)")
    .addHelpText(
      "after",
      helpText(
        ["breakglass init", "breakglass init --snapshot tenant.json --out breakglass.yaml"],
        [EXIT_TEXT.ok, EXIT_TEXT.usage, EXIT_TEXT.unreadable, EXIT_TEXT.internal],
      ),
    )
    .option("--out <file>", "where to write it (never overwritten)", "breakglass.yaml")
    .option("--snapshot <file>", "read the tenant from a snapshot file instead of live")
    .option("--auth <method>", `live tenant credential: ${AUTH_METHODS.join(", ")}`, parseAuth)
    .action(async (opts: { out: string; snapshot?: string; auth?: AuthMethod }) => {
      let snapshot: Snapshot;
      if (opts.snapshot !== undefined) {
        try {
          snapshot = await loadSnapshot(resolve(opts.snapshot));
        } catch (err) {
          throw new UsageError(err instanceof Error ? err.message : String(err));
        }
      } else {
        const config = defaultConfig();
        snapshot = (await readLiveTenant({ config, auth: opts.auth, command: "init" })).snapshot;
      }
      const doc = initDocument({ snapshot, random: (n) => randomInt(n), now: new Date() });
      await writeNewFile(resolve(opts.out), doc.toString({ lineWidth: 0 }));
      process.stderr.write(
        `configuration written to ${opts.out}; review it, then run breakglass plan --config ${opts.out}\n`,
      );
    });
}
