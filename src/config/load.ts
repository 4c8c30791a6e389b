/**
 * Loading breakglass.yaml / breakglass.json (docs/config.md). Every problem is reported with
 * the key path and what is allowed there, so an admin can fix the file without reading the source.
 */
import { stat } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { readTextFile } from "../io/read-file.js";
import { describeValue, formatPath, valueAt } from "../snapshot/load.js";
import { configJsonSchema } from "./json-schema.js";
import { Config } from "./schema.js";

/** The files looked for when no --config is given, in order. */
export const DEFAULT_CONFIG_FILES = ["breakglass.yaml", "breakglass.json"] as const;

/** A config file is a few kilobytes; refusing large files keeps a mistaken path from eating memory. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** The configuration file is missing, unreadable or invalid. Exit code 2 (docs/report.md). */
export class ConfigError extends Error {
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly issues: string[] = [],
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

export interface LoadedConfig {
  config: Config;
  /** the file read, absolute; null when no file was given or found (every default applies). */
  file: string | null;
}

/**
 * Load the configuration: `file` when given (it must exist), else the first of
 * DEFAULT_CONFIG_FILES present in `cwd`, else the defaults.
 */
export async function loadConfig(file?: string, cwd: string = process.cwd()): Promise<LoadedConfig> {
  if (file === undefined) {
    for (const candidate of DEFAULT_CONFIG_FILES) {
      const path = resolve(cwd, candidate);
      if (await exists(path)) return { config: await readConfigFile(path), file: path };
    }
    return { config: Config.parse({}), file: null };
  }
  const path = resolve(cwd, file);
  return { config: await readConfigFile(path), file: path };
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readConfigFile(path: string): Promise<Config> {
  const text = await readTextFile(path, { what: "configuration", maxBytes: MAX_CONFIG_BYTES });
  return parseConfigText(text, basename(path), extname(path).toLowerCase() === ".json" ? "json" : "yaml");
}

/** Parse and validate configuration text. `source` names it in errors. */
export function parseConfigText(text: string, source: string, format: "yaml" | "json"): Config {
  return validateConfig(format === "json" ? parseJson(text, source) : parseYaml(text, source), source);
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${source}: malformed JSON: ${(err as Error).message}`);
  }
}

/** YAML as the configuration and the records people write (custody.yaml) are parsed: strict and bounded. */
export function parseYaml(text: string, source: string): unknown {
  // uniqueKeys (the default) makes a repeated key an error instead of a silent override.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const at = e.linePos?.[0];
      return at ? `line ${at.line}, column ${at.col}: ${firstLine(e.message)}` : firstLine(e.message);
    });
    throw new ConfigError(`${source}: malformed YAML:\n  ${lines.join("\n  ")}`, lines);
  }
  // An empty file (or one with only comments) is an empty configuration: every default.
  // maxAliasCount refuses an alias bomb (a "billion laughs" of nested aliases) before it expands.
  try {
    return doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    throw new ConfigError(`${source}: malformed YAML: ${firstLine((err as Error).message)}`);
  }
}

const firstLine = (s: string) => s.split("\n")[0] ?? s;

/** Validate a parsed document against the Config definition. */
export function validateConfig(document: unknown, source = "configuration"): Config {
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw new ConfigError(
      `${source}: the configuration is a mapping of keys (tenant, accounts, group, profile, ...)`,
    );
  }
  const result = Config.safeParse(document);
  if (result.success) return result.data;
  const issues = describeIssues(result.error, document);
  throw new ConfigError(`${source}: invalid configuration:\n  ${issues.join("\n  ")}`, issues);
}

/** One line per problem, each naming the key path and what is allowed there. */
export function describeIssues(
  error: z.ZodError,
  document: unknown,
  /** the JSON Schema of the document (default: the configuration's), for the allowed keys and values */
  schema: Record<string, unknown> = configJsonSchema(),
): string[] {
  return error.issues.map((issue) => {
    const path = issue.path as PropertyKey[];
    switch (issue.code) {
      case "unrecognized_keys": {
        const node = schemaAt(schema, path);
        const keys = node?.properties ? Object.keys(node.properties) : [];
        const allowed = keys.length > 0 ? keys.join(", ") : "no other keys";
        return issue.keys
          .map((key) => {
            const near = closest(key, keys);
            return `${formatPath([...path, key])}: unknown key${near ? ` (did you mean ${near}?)` : ""}; allowed here: ${allowed}`;
          })
          .join("\n  ");
      }
      case "invalid_key": {
        const inner = issue.issues[0]?.message ?? issue.message;
        return `${formatPath(path)}: not a valid key here; expected ${inner}`;
      }
      case "invalid_type":
      case "invalid_union":
      case "invalid_value": {
        const allowed = describeAllowed(schemaAt(schema, path));
        const got = describeValue(valueAt(document, path));
        return `${formatPath(path)}: ${allowed ? `expected ${allowed}` : issue.message}, got ${got}`;
      }
      default:
        return `${formatPath(path)}: ${issue.message}`;
    }
  });
}

/** The allowed key a typo most likely meant: edit distance at most 2, case ignored. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length]!;
}

interface SchemaNode {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
}

/** The schema node that describes `path`, following properties, records, arrays and unions. */
function schemaAt(root: Record<string, unknown>, path: readonly PropertyKey[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = root as SchemaNode;
  for (const key of path) {
    if (!node) return undefined;
    node = step(node, key);
  }
  return node;
}

function step(node: SchemaNode, key: PropertyKey): SchemaNode | undefined {
  if (typeof key === "number") {
    if (node.items) return node.items;
  } else if (typeof key === "string") {
    if (node.properties?.[key]) return node.properties[key];
    if (typeof node.additionalProperties === "object") return node.additionalProperties;
  }
  for (const alt of node.anyOf ?? node.oneOf ?? []) {
    const hit = step(alt, key);
    if (hit) return hit;
  }
  return undefined;
}

/** "one of "obscure", "descriptive", "any"", "an integer", "\"everyTime\" or an object with hours". */
function describeAllowed(node: SchemaNode | undefined): string | undefined {
  if (!node) return undefined;
  const alts = node.anyOf ?? node.oneOf;
  if (alts) {
    const parts = alts.map(describeAllowed).filter((s): s is string => !!s);
    return parts.length ? parts.join(" or ") : undefined;
  }
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return `one of ${node.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  return types
    .map((type) => {
      if (type === "object" && node.properties)
        return `a mapping with ${Object.keys(node.properties).join(", ")}`;
      if (type === "object") return "a mapping";
      if (type === "array") {
        const item = describeAllowed(node.items);
        return item ? `a list, each item ${item}` : "a list";
      }
      if (type === "string" && node.pattern) return `a string matching ${node.pattern}`;
      return type === "integer" ? "an integer" : `a ${type}`;
    })
    .join(" or ");
}
