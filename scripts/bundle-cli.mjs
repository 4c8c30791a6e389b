/**
 * Bundles the CLI into dist/bin/ (`breakglass.js` and its chunks), the binary package.json's `bin`
 * names (docs/architecture.md "The binary"). Run by `npm run build` after tsc, and by
 * test/setup-build.ts when a source is newer than the bundle.
 *
 *   node scripts/bundle-cli.mjs
 *
 * Why a bundle: `apply` and its dependencies are about 870 module files (530 of ours, 340 of its
 * packages), and Node 20 resolves, reads and compiles each one on every start (it has no compile
 * cache for ES modules): importing `apply` took 400-470 ms from dist/src and takes about 150 ms
 * from the bundle. Each command stays its own chunk (src/cli/commands/index.ts imports them
 * lazily), so `--version` loads none of them.
 */
import { rmSync, renameSync, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "dist/bin");

/**
 * A module of ours keeps its own file's URL as `import.meta.url`. In a bundle, every module would see
 * its chunk's URL instead, and those URLs are how the code finds what ships beside it: a check's
 * Markdown (src/checks/lib/define.ts), package.json (src/version.ts), the sample tenants
 * (src/cli/commands/demo.ts) and the packages loaded with createRequire (src/monitor/kusto.ts). So
 * each `import.meta.url` becomes the source file's URL, relative to the chunk, which works wherever
 * the package is installed. Any other `import.meta` property fails the build rather than break at
 * run time.
 */
const sourceImportMeta = {
  name: "source-import-meta",
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const text = await readFile(args.path, "utf8");
      const other = /import\.meta\.(?!url\b)([A-Za-z_$][\w$]*)/.exec(text);
      if (other)
        throw new Error(
          `${relative(ROOT, args.path)}: import.meta.${other[1]} is not kept in the bundle; use import.meta.url`,
        );
      if (!text.includes("import.meta.url")) return { contents: text, loader: "ts" };
      const fromChunk = relative(OUT, args.path).split(sep).join("/");
      return {
        contents: text.replaceAll(
          "import.meta.url",
          `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`,
        ),
        loader: "ts",
      };
    });
  },
};

export async function bundleCli() {
  const staging = `${OUT}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { breakglass: "src/cli/bin.ts" },
    outdir: staging,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20.18",
    sourcemap: true,
    // playwright-core finds its own files beside its modules; it stays a package import
    external: ["playwright-core"],
    // the bundled CommonJS packages call require() for Node's built-ins
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
    },
    plugins: [sourceImportMeta],
    logLevel: "warning",
  });
  // swap the finished bundle in: an interrupted build never leaves a half-written dist/bin/
  const previous = `${OUT}.${process.pid}.old`;
  if (existsSync(OUT)) renameSync(OUT, previous);
  renameSync(staging, OUT);
  rmSync(previous, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await bundleCli();
