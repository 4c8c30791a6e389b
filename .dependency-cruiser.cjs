/* global module */
/**
 * The layers of src/ and the imports allowed between them (docs/architecture.md). `npm run lint`
 * runs dependency-cruiser with these rules, so a wrong import fails CI; test/lint/boundaries.test.ts
 * proves a rule fires on a deliberately wrong import.
 */

/** Layer -> the layers it may import (besides itself and the shared leaves). */
const ALLOWED = {
  snapshot: [],
  config: ["snapshot"],
  graph: [],
  collect: ["snapshot", "graph", "config"],
  discover: ["snapshot", "config"],
  // device filters run their patterns on the linear-time engine the config validates them with.
  ca: ["snapshot", "config/pattern\\.ts$"],
  monitor: ["snapshot", "config"],
  // The drill evidence item names the EA-OPS checks look for, and which window explains a sign-in.
  checks: ["snapshot", "config", "ca", "monitor", "discover", "records/(vocabulary|windows)\\.ts$"],
  // init proposes the discovered candidates; enrollment names keys from the checks' AAGUID catalogue.
  deploy: ["snapshot", "config", "ca", "monitor", "records", "graph", "discover", "checks/aaguid\\.ts$"],
  records: ["config"],
  drills: ["snapshot", "config", "records", "ca", "graph"],
  // The check vocabulary (statuses, their order, the result types) and the config's severities.
  // A plan is rendered too (its text, its file's JSON Schema): deploy's plan vocabulary.
  // A finding's fingerprint (SARIF's, and what `accept` entries name) has one definition.
  // Conditional Access results are worded from the engine's vocabulary: its resource catalogue and
  // country names, and key models from the checks' AAGUID table.
  report: [
    "checks/(types|fingerprint|aaguid)\\.ts$",
    "config/",
    "deploy/(types|plan|plan-file)\\.ts$",
    "records/custody\\.ts$",
    "ca/(catalogue|countries)\\.ts$",
  ],
};

/** Layers a layer may import for their types only (`import type`). */
const TYPES_ONLY = {
  checks: ["records"],
  // The proof envelope is configured, so its type lives in the config schema.
  ca: ["config"],
  // Outcomes, counter-examples and coverage, as the engine computed them; the runbook's renderers
  // lay out the content the drills layer builds.
  report: ["ca", "drills/runbook-model\\.ts$"],
};

/** Shared leaves every layer may import: exit-code errors, the file writer and reader, the version. */
const LEAVES = ["errors\\.ts$", "io/", "version\\.ts$"];

const layerPath = (layer) => `^src/${layer}/`;
/** A layer name ("snapshot") means its folder; anything else is already a pattern ("checks/types\\.ts$"). */
const asPattern = (entry) => (/^[a-z]+$/.test(entry) ? `${entry}/` : entry);
const anyOf = (patterns) => `^src/(${patterns.join("|")})`;

const layerRules = Object.entries(ALLOWED).flatMap(([layer, allowed]) => {
  const typesOnly = TYPES_ONLY[layer] ?? [];
  const rules = [
    {
      name: `${layer}-imports`,
      comment: `src/${layer} may import only: ${[...allowed, ...typesOnly.map((t) => `${t} (types)`)].join(", ") || "nothing of ours"} (docs/architecture.md)`,
      severity: "error",
      from: { path: layerPath(layer) },
      to: {
        path: "^(src|emulator)/",
        pathNot: [anyOf([`${layer}/`, ...allowed.map(asPattern), ...typesOnly.map(asPattern), ...LEAVES])],
      },
    },
  ];
  if (typesOnly.length > 0)
    rules.push({
      name: `${layer}-imports-types-only`,
      comment: `src/${layer} may import ${typesOnly.join(", ")} for types only (import type)`,
      severity: "error",
      from: { path: layerPath(layer) },
      to: {
        path: anyOf(typesOnly.map(asPattern)),
        // a file of that layer allowed outright (ca -> config/pattern.ts) is not types-only
        ...(allowed.length > 0 ? { pathNot: [anyOf(allowed.map(asPattern))] } : {}),
        dependencyTypesNot: ["type-only"],
      },
    });
  return rules;
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "leaves-import-only-leaves",
      comment: "src/errors.ts, src/io and src/version.ts import nothing of ours but each other",
      severity: "error",
      from: { path: anyOf(LEAVES) },
      to: { path: "^(src|emulator)/", pathNot: [anyOf(LEAVES)] },
    },
    {
      name: "emulator-imports",
      comment: "the emulator may import only src/snapshot and src/ca (What If) and the shared leaves",
      severity: "error",
      from: { path: "^emulator/" },
      to: { path: "^src/", pathNot: [anyOf(["snapshot/", "ca/", ...LEAVES])] },
    },
    {
      name: "only-the-cli-starts-the-emulator",
      comment: "nothing in src/ but the CLI (demo, emulator commands) imports the emulator",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^emulator/" },
    },
    {
      name: "no-circular",
      comment: "no import cycles in src/",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".d.ts"],
    },
  },
};
