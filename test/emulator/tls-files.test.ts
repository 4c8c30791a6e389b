import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/index.js";
import { createFakeGraphLayer } from "./fake-graph-layer.js";
import { sampleSnapshot } from "./support.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CHILD = fileURLToPath(new URL("./ca-child.ts", import.meta.url));

const start = (stateDir?: string) =>
  startEmulator({
    snapshot: sampleSnapshot(),
    graphLayer: createFakeGraphLayer,
    throttle: false,
    ...(stateDir ? { stateDir } : {}),
  });

/** every file in `dir`, with its text */
const filesIn = (dir: string): Array<[string, string]> =>
  readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), "utf8")]);

const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

describe("the emulator's TLS files", () => {
  const scratch = mkdtempSync(join(tmpdir(), "bg-tls-files-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  /**
   * The child, bundled once into plain JavaScript: a TypeScript loader in each child (tsx) spent
   * about a second of CPU transforming the emulator's modules, three times per run.
   */
  const childScript = join(scratch, "ca-child.mjs");
  beforeAll(async () => {
    await build({
      entryPoints: [CHILD],
      outfile: childScript,
      bundle: true,
      format: "esm",
      platform: "node",
      // its packages too: the file lives outside the repository's node_modules; their require()
      // of Node's built-ins needs a require
      banner: {
        js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
      },
      logLevel: "error",
    });
  });

  it("writes only the CA certificate to its temp directory, and removes the directory when it closes", async () => {
    const emulator = await start();
    const dir = dirname(emulator.caFile);
    const files = filesIn(dir);
    expect(files.map(([name]) => name)).toEqual(["ca.pem"]);
    expect(files[0]![1]).toBe(emulator.caPem);
    expect(files[0]![1]).toMatch(/-----BEGIN CERTIFICATE-----/);
    expect(files.filter(([, text]) => PRIVATE_KEY.test(text))).toEqual([]);
    expect(emulator.env.NODE_EXTRA_CA_CERTS).toBe(emulator.caFile);
    await emulator.close();
    expect(existsSync(dir)).toBe(false);
  });

  it("keeps the temp directory while another emulator of the process still uses it", async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.caFile).toBe(b.caFile);
    await a.close();
    expect(readFileSync(b.caFile, "utf8")).toBe(b.caPem);
    await b.close();
    expect(existsSync(dirname(b.caFile))).toBe(false);
  });

  it("writes only the CA certificate to a --state-dir, and leaves that directory to its owner", async () => {
    const stateDir = join(scratch, "state");
    const emulator = await start(stateDir);
    expect(emulator.caFile).toBe(join(stateDir, "ca.pem"));
    const files = filesIn(stateDir);
    expect(files.map(([name]) => name)).toEqual(["ca.pem"]);
    expect(files.filter(([, text]) => PRIVATE_KEY.test(text))).toEqual([]);
    await emulator.close();
    expect(filesIn(stateDir).map(([name]) => name)).toEqual(["ca.pem"]);
  });

  /** runs the child (node itself, no loader process between, so a signal reaches the emulator's process) */
  function runChild(
    mode: "exit" | "wait",
    signal?: NodeJS.Signals,
  ): Promise<{ caFile: string; code: number | null; signal: NodeJS.Signals | null }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [childScript, mode], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (signal && out.includes("\n")) child.kill(signal);
      });
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      child.on("error", reject);
      child.on("exit", (code, sig) => {
        const caFile = out.trim();
        if (!caFile) reject(new Error(`the child printed no CA file (exit ${code}, ${sig}): ${err}`));
        else resolve({ caFile, code, signal: sig });
      });
    });
  }

  it.each(["SIGINT", "SIGTERM"] as const)(
    "removes the temp directory on %s, and the signal still stops the process",
    async (signal) => {
      const run = await runChild("wait", signal);
      expect(run.signal).toBe(signal);
      expect(existsSync(dirname(run.caFile))).toBe(false);
    },
    30_000,
  );

  it("removes the temp directory when the process exits without closing the emulator", async () => {
    const run = await runChild("exit");
    expect(run.code).toBe(0);
    expect(existsSync(dirname(run.caFile))).toBe(false);
  }, 30_000);
});
