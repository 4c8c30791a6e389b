/**
 * `breakglass discover --snapshot FILE [--format text|json]`: ranks the users that look like
 * emergency accounts, with each signal's weight and reason, and says which ones `assess` would take
 * when the config names no accounts. Useful before writing `accounts:` into breakglass.yaml.
 */
import { EXIT_TEXT, helpText, parseHumanFormat } from "../conventions.js";
import type { Command } from "commander";
import { DISCOVERY_THRESHOLD, discoverCandidates, selectCandidates } from "../../discover/discover.js";
import { Profile } from "../../config/schema.js";
import { terminalInline } from "../../report/escape.js";
import { stringifyJson } from "../../report/json.js";
import { loadSnapshot } from "../../snapshot/load.js";
import { UsageError } from "../../errors.js";

export function registerDiscover(program: Command): void {
  program
    .command("discover")
    .description("rank the users that look like emergency accounts (signals, weights, reasons)")
    .addHelpText(
      "after",
      helpText(
        [
          "breakglass discover --snapshot tenant.json",
          "breakglass discover --snapshot tenant.json --format json --max 5",
        ],
        [EXIT_TEXT.ok, EXIT_TEXT.usage, EXIT_TEXT.internal],
      ),
    )
    .requiredOption("--snapshot <file>", "a tenant snapshot (breakglass export)")
    .option("--format <format>", "console (or text) | json", "console")
    .option("--max <n>", "how many accounts assess would take (profile accountCount.max)")
    .action(async (opts: { snapshot: string; format: string; max?: string }) => {
      const format = parseHumanFormat(opts.format);
      const max = opts.max === undefined ? Profile.parse({}).accountCount.max : Number(opts.max);
      if (!Number.isInteger(max) || max < 1)
        throw new UsageError(`--max must be a positive integer, not "${opts.max}"`);
      let snapshot;
      try {
        snapshot = await loadSnapshot(opts.snapshot);
      } catch (err) {
        throw new UsageError(err instanceof Error ? err.message : String(err));
      }
      const candidates = discoverCandidates(snapshot);
      const { selected } = selectCandidates(candidates, max);
      const chosen = new Set(selected.map((c) => c.id));
      if (format === "json") {
        const out = {
          threshold: DISCOVERY_THRESHOLD,
          max,
          candidates: candidates.map((c) => ({ ...c, selected: chosen.has(c.id) })),
        };
        process.stdout.write(stringifyJson(out));
        return;
      }
      if (candidates.length === 0) {
        process.stdout.write(
          "No candidate emergency accounts found. Name them in the config (accounts: or group:).\n",
        );
        return;
      }
      const lines = [
        `Candidate emergency accounts (assess takes a score of ${DISCOVERY_THRESHOLD} or more, at most ${max}):`,
        "",
      ];
      for (const c of candidates) {
        const name = terminalInline(c.userPrincipalName ?? c.id);
        lines.push(`${chosen.has(c.id) ? "*" : " "} ${String(c.score).padStart(3)}  ${name}  (${c.id})`);
        for (const s of c.signals) lines.push(`         +${s.weight} ${terminalInline(s.reason)}`);
      }
      lines.push(
        "",
        "* taken by assess when the config names no accounts. Name them in breakglass.yaml to be sure.",
      );
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
