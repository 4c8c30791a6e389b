import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "undici";
import { describe, expect, it, vi } from "vitest";
import { runEmulatorCommand } from "../../../src/cli/commands/emulator.js";
import { UsageError } from "../../../src/errors.js";
import { GOOD } from "./support.js";

function env(stdout: string): Record<string, string> {
  return Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
}

async function rolesOf(e: Record<string, string>, ca: string): Promise<{ roles: string[]; wids?: string[] }> {
  const agent = new Agent({ connect: { ca } });
  try {
    const res = await fetchToken(e, agent);
    const payload = JSON.parse(Buffer.from(res.split(".")[1]!, "base64url").toString("utf8"));
    return { roles: payload.roles ?? [], wids: payload.wids };
  } finally {
    await agent.close();
  }
}

async function fetchToken(e: Record<string, string>, agent: Agent): Promise<string> {
  const { request } = await import("undici");
  const res = await request(`${e.AZURE_AUTHORITY_HOST}/${e.AZURE_TENANT_ID}/oauth2/v2.0/token`, {
    method: "POST",
    dispatcher: agent,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: e.AZURE_CLIENT_ID!,
      client_secret: e.AZURE_CLIENT_SECRET!,
      scope: "https://graph.microsoft.com/.default",
    }).toString(),
  });
  return ((await res.body.json()) as { access_token: string }).access_token;
}

async function serve(flags: Record<string, string | boolean>) {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let stdout = "";
  const running = runEmulatorCommand(
    { snapshot: GOOD.pathname, ...flags },
    { stdout: (t) => (stdout += t), stderr: () => {}, stopped },
  );
  await vi.waitFor(() => expect(stdout).toContain("BREAKGLASS_ARM_URL"), { timeout: 20_000 });
  const e = env(stdout);
  const { readFile } = await import("node:fs/promises");
  const ca = await readFile(e.NODE_EXTRA_CA_CERTS!, "utf8");
  const claims = await rolesOf(e, ca);
  stop();
  await running;
  return claims;
}

describe("breakglass emulator --deployer / --replication-delay", () => {
  it("the default app stays read-only; --deployer prints an app with deploy's write permissions and Privileged Authentication Administrator", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bg-emu-deployer-"));
    const plain = await serve({ stateDir: dir });
    expect(plain.roles.some((r) => /ReadWrite/.test(r))).toBe(false);
    expect(plain.wids).toBeUndefined();
    const deployer = await serve({ stateDir: dir, deployer: true, replicationDelay: "3000" });
    expect(deployer.roles).toContain("RoleManagement.ReadWrite.Directory");
    expect(deployer.roles).toContain("Policy.ReadWrite.ConditionalAccess");
    expect(deployer.wids).toEqual(["7be44c8a-adaf-4e2a-84d6-ab2649e08a13"]);
  });

  it("--replication-delay takes milliseconds", async () => {
    await expect(
      runEmulatorCommand(
        { snapshot: GOOD.pathname, replicationDelay: "soon" },
        { stdout: () => {}, stderr: () => {}, stopped: Promise.resolve() },
      ),
    ).rejects.toThrow(UsageError);
    await expect(
      runEmulatorCommand(
        { snapshot: GOOD.pathname, replicationDelay: "soon" },
        { stdout: () => {}, stderr: () => {}, stopped: Promise.resolve() },
      ),
    ).rejects.toThrow(/--replication-delay: expected an integer/);
  });
});
