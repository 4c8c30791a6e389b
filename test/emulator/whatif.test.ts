import { ClientSecretCredential } from "@azure/identity";
import { Client } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/index.js";
import { whatIfResponse } from "../../src/ca/whatif.js";
import { loadSnapshot } from "../../src/snapshot/load.js";
import { credentialOptions, undiciAgent } from "./support.js";

/** What If through the real Graph client: the emulator answers with the CA engine's evaluation. */
describe("POST identity/conditionalAccess/evaluate", () => {
  it("answers the real Graph client with the evaluator's result, in v1.0 and beta, and 400 on a bad body", async () => {
    const snapshot = await loadSnapshot("fixtures/tenants/midsize.json");
    const emu = await startEmulator({ snapshot, throttle: false });
    const agent = undiciAgent(emu);
    try {
      const app = emu.apps[0]!;
      const credential = new ClientSecretCredential(
        emu.tenantId,
        app.clientId,
        app.secrets[0]!,
        credentialOptions(emu),
      );
      const client = Client.initWithMiddleware({
        authProvider: new TokenCredentialAuthenticationProvider(credential, {
          scopes: ["https://graph.microsoft.com/.default"],
        }),
        baseUrl: emu.graphUrl,
        customHosts: new Set([new URL(emu.url).hostname]),
        fetchOptions: { dispatcher: agent } as RequestInit,
      });
      const account = snapshot.users!.find((u) => u.userPrincipalName?.startsWith("cld-w5t1@"))!;
      const body = {
        signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: account.id },
        signInContext: {
          "@odata.type": "#microsoft.graph.applicationContext",
          includeApplications: ["797f4846-ba00-4fd7-ba43-dac1f8f63013"],
        },
        signInConditions: {
          clientAppType: "browser",
          devicePlatform: "windows",
          country: "AT",
          ipAddress: "8.8.8.8",
        },
        appliedPoliciesOnly: true,
      };
      for (const version of ["v1.0", "beta"] as const) {
        const res = await client.api("/identity/conditionalAccess/evaluate").version(version).post(body);
        const expected = whatIfResponse(body, snapshot, version);
        expect(res.value).toEqual(JSON.parse(JSON.stringify(expected.value)));
        expect(res.value.length).toBeGreaterThan(0);
        expect(res.value.every((p: { policyApplies: boolean }) => p.policyApplies)).toBe(true);
      }
      // the nested-group policy that pulls this account in (fixtures README, EA-CA-01) is among them
      const names = (await client.api("/identity/conditionalAccess/evaluate").post(body)).value.map(
        (p: { displayName: string }) => p.displayName,
      );
      expect(names).toContain("CA015-Workforce-AllApps-MFAOutsideOffice");
      await expect(
        client.api("/identity/conditionalAccess/evaluate").post({ signInContext: {} }),
      ).rejects.toMatchObject({ statusCode: 400 });
    } finally {
      await agent.close();
      await emu.close();
    }
  });
});
