import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Agent } from "undici";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { runEmulatorCommand, shellQuote } from "../../src/cli/commands/emulator.js";
import { main } from "../../src/cli/main.js";
import { createClientCertificate } from "../../emulator/index.js";
import { createFakeGraphLayer } from "./fake-graph-layer.js";
import { sampleSnapshot, TENANT_ID } from "./support.js";
import { request } from "undici";

const run = promisify(execFile);

describe("breakglass emulator (CLI)", () => {
  let dir: string;
  let snapshotFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bg-emu-cli-"));
    snapshotFile = join(dir, "tenant.json");
    await writeFile(snapshotFile, JSON.stringify(sampleSnapshot()));
  });

  async function exitCodeAndError(args: string[]): Promise<{ code: number; stderr: string }> {
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: any) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      const code = await main(["node", "breakglass", "emulator", ...args]);
      return { code, stderr: chunks.join("") };
    } finally {
      spy.mockRestore();
    }
  }

  it("refused flags leave no SIGINT or SIGTERM listener behind (one would stop the signal ending the process)", async () => {
    const before = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    expect((await exitCodeAndError(["--snapshot", snapshotFile, "--port", "99999"])).code).toBe(2);
    expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).toEqual(before);
  });

  it("rejects bad flags and bad files with exit code 2 and a message naming the flag and the fix", async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /--snapshot is required/],
      [["--snapshot", snapshotFile, "--port", "99999"], /--port: expected an integer from 0 to 65535/],
      [
        ["--snapshot", snapshotFile, "--fault-rate", "1.5"],
        /--fault-rate: expected a probability from 0 to 1/,
      ],
      [["--snapshot", snapshotFile, "--latency", "fast"], /--latency/],
      [["--snapshot", snapshotFile, "--seed", "-3"], /--seed/],
      [["--snapshot", join(dir, "missing.json")], /missing\.json/],
      [["--snapshot", snapshotFile, "--apps", join(dir, "nope.json")], /--apps .*nope\.json: cannot read/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await exitCodeAndError(args);
      expect(code, args.join(" ")).toBe(2);
      expect(stderr, args.join(" ")).toMatch(message);
    }
    const badApps = join(dir, "bad-apps.json");
    await writeFile(
      badApps,
      JSON.stringify([{ clientId: "x", secret: "s", graphPermissions: "User.Read.All" }]),
    );
    const { code, stderr } = await exitCodeAndError(["--snapshot", snapshotFile, "--apps", badApps]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/\[0\]\.graphPermissions/);

    const badSnapshot = join(dir, "bad-snapshot.json");
    await writeFile(
      badSnapshot,
      JSON.stringify({ ...sampleSnapshot(), users: [{ id: "u", accountEnabled: "yes" }] }),
    );
    const bad = await exitCodeAndError(["--snapshot", badSnapshot]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/users\[0\]\.accountEnabled/);
  });

  it("prints sourceable export lines first, serves with the apps file, prints counters on stop", async () => {
    const certificate = createClientCertificate();
    const appsFile = join(dir, "apps.json");
    await writeFile(
      appsFile,
      JSON.stringify([
        {
          clientId: "9a3d526c-0000-4000-8000-000000000001",
          secret: "it's-a-secret",
          graphPermissions: ["User.Read.All"],
          arm: { subscriptions: "*", aadiam: false },
        },
        { certificate: certificate.certificatePem, graphPermissions: ["Policy.Read.All"] },
      ]),
    );
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let stdout = "";
    let stderr = "";
    const running = runEmulatorCommand(
      {
        snapshot: snapshotFile,
        apps: appsFile,
        faultRate: "0",
        seed: "3",
        latency: "0",
        stateDir: join(dir, "state"),
      },
      {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        stopped,
        graphLayer: createFakeGraphLayer,
      },
    );
    await vi.waitFor(() => expect(stdout).toContain("BREAKGLASS_ARM_URL"), { timeout: 10_000 });
    const lines = stdout.trim().split("\n");
    expect(lines.map((l) => l.split("=")[0])).toEqual([
      "export NODE_EXTRA_CA_CERTS",
      "export AZURE_TENANT_ID",
      "export AZURE_CLIENT_ID",
      "export AZURE_CLIENT_SECRET",
      "export AZURE_SUBSCRIPTION_ID",
      "export AZURE_AUTHORITY_HOST",
      "export BREAKGLASS_GRAPH_URL",
      "export BREAKGLASS_ARM_URL",
    ]);
    // the lines are valid shell: source them and read the values back
    const { stdout: echoed } = await run("sh", [
      "-c",
      `${stdout}\nprintf '%s|%s|%s' "$AZURE_TENANT_ID" "$AZURE_CLIENT_SECRET" "$AZURE_AUTHORITY_HOST"`,
    ]);
    const [tenant, secret, authority] = echoed.split("|");
    expect(tenant).toBe(TENANT_ID);
    expect(secret).toBe("it's-a-secret");
    expect(authority).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const ca = /NODE_EXTRA_CA_CERTS='([^']+)'/.exec(stdout)![1]!;
    const { readFile } = await import("node:fs/promises");
    const agent = new Agent({ connect: { ca: await readFile(ca, "utf8") } });
    const res = await request(`${authority}/${tenant}/oauth2/v2.0/token`, {
      method: "POST",
      dispatcher: agent,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: "9a3d526c-0000-4000-8000-000000000001",
        client_secret: "it's-a-secret",
        scope: "https://graph.microsoft.com/.default",
      }).toString(),
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    await agent.close();

    stop();
    await running;
    expect(stderr).toMatch(/POST \/\{tenant\}\/oauth2\/v2\.0\/token {2}200×1/);
    expect(stderr).toMatch(/round-trip depth: max 1/);
    expect(stderr).not.toContain("it's-a-secret");
  });

  it("quotes for the shell", () => {
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
