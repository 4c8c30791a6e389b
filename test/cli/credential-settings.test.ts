/**
 * A credential setting that is there but cannot be right is one line naming the variable to fix,
 * exit 2, before any request: a malformed tenant id, a certificate file that does not exist.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ClientSecretCredential } from "@azure/identity";
import { main } from "../../src/cli/main.js";
import { authSettingsFromEnv, createCredential } from "../../src/graph/auth.js";

const VARIABLES = [
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_ID",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PATH",
  "AZURE_FEDERATED_TOKEN_FILE",
  "AZURE_AUTHORITY_HOST",
];

let dir: string;
let saved: Record<string, string | undefined>;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "bg-credential-"));
  saved = Object.fromEntries(VARIABLES.map((v) => [v, process.env[v]]));
  for (const v of VARIABLES) delete process.env[v];
});
afterEach(async () => {
  for (const v of VARIABLES)
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  process.exitCode = undefined;
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

async function exportWith(env: Record<string, string>) {
  Object.assign(process.env, env);
  const stderr: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
  const code = await main(["node", "breakglass", "export", "--out", join(dir, "tenant.json")]);
  vi.restoreAllMocks();
  return { code, stderr: stderr.join("") };
}

describe("credential settings", () => {
  it.each([
    ["a truncated GUID", "b7d7dbb8-fb22-4075-9e38"],
    ["a name with a space", "contoso tenant"],
    ["a bare word", "contoso"],
  ])("a malformed AZURE_TENANT_ID (%s) is one line naming it, exit 2", async (_, tenant) => {
    const r = await exportWith({ AZURE_TENANT_ID: tenant, AZURE_CLIENT_ID: "app", AZURE_CLIENT_SECRET: "s" });
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^breakglass: AZURE_TENANT_ID: .* is not a tenant id .*: fix AZURE_TENANT_ID$/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("a certificate file that does not exist is one line naming AZURE_CLIENT_CERTIFICATE_PATH, exit 2", async () => {
    const missing = join(dir, "missing.pem");
    const r = await exportWith({
      AZURE_TENANT_ID: "11111111-1111-1111-1111-111111111111",
      AZURE_CLIENT_ID: "app",
      AZURE_CLIENT_CERTIFICATE_PATH: missing,
    });
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("breakglass: AZURE_CLIENT_CERTIFICATE_PATH: no file at");
    expect(lines[0]).toContain("missing.pem");
  });

  it("a tenant named by its id or its domain is accepted", () => {
    for (const tenant of ["11111111-1111-1111-1111-111111111111", "contoso.onmicrosoft.com", "fabrikam.com"])
      expect(
        createCredential(
          authSettingsFromEnv(
            {},
            { AZURE_TENANT_ID: tenant, AZURE_CLIENT_ID: "app", AZURE_CLIENT_SECRET: "s" },
          ),
        ),
      ).toBeInstanceOf(ClientSecretCredential);
  });
});
