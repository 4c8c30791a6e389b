/**
 * Reading the configuration file for `export` (config.md). This belongs in src/config/ once a
 * shared loader exists there; it lives here so export can name a bad key and exit 2 today.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { Config, defaultConfig } from "../config/schema.js";

export class ConfigFileError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "ConfigFileError";
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return (
    path
      .map((k) => (typeof k === "number" ? `[${k}]` : `.${String(k)}`))
      .join("")
      .replace(/^\./, "") || "(root)"
  );
}

/** Load and validate a config file; `undefined` → the defaults (or ./breakglass.yaml|json if present). */
export async function loadConfigFile(file: string | undefined): Promise<Config> {
  const candidates = file ? [file] : ["breakglass.yaml", "breakglass.json"];
  for (const candidate of candidates) {
    let text: string;
    try {
      text = await readFile(candidate, "utf8");
    } catch (err) {
      if (!file && (err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw new ConfigFileError(
        `${candidate}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? err})`,
      );
    }
    let document: unknown;
    try {
      document = candidate.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
    } catch (err) {
      throw new ConfigFileError(
        `${candidate}: not valid ${candidate.endsWith(".json") ? "JSON" : "YAML"}: ${(err as Error).message}`,
      );
    }
    const result = Config.safeParse(document ?? {});
    if (!result.success) {
      const lines = result.error.issues.map((i) => `${pathOf(i.path)}: ${i.message}`);
      throw new ConfigFileError(`${candidate}: invalid configuration (config.md):\n  ${lines.join("\n  ")}`);
    }
    return result.data;
  }
  return defaultConfig();
}
