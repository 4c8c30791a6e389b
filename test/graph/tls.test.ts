/**
 * The agents of src/graph/tls.ts trust the CA they are given and nothing else: a connection to the
 * emulator succeeds with its CA and fails with another, for both the Graph client's undici agent
 * and the node:https agent of @azure/identity and ARM, including after a context for the right CA
 * was made and kept. The agents are the process's, one per CA, so nothing here closes them.
 */
import { get } from "node:https";
import { fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/index.js";
import { createCertificateAuthority } from "../../emulator/tls.js";
import { httpsAgentFor, undiciAgentFor } from "../../src/graph/tls.js";
import { createFakeGraphLayer } from "../emulator/fake-graph-layer.js";
import { sampleSnapshot } from "../emulator/support.js";

describe("agents trusting a private CA", () => {
  let emu: RunningEmulator;
  let otherCa: string;
  beforeAll(async () => {
    emu = await startEmulator({ snapshot: sampleSnapshot(), graphLayer: createFakeGraphLayer });
    otherCa = createCertificateAuthority().certificatePem;
  });
  afterAll(async () => {
    await emu?.close();
  });

  const viaUndici = async (caPem: string) => {
    const response = await fetch(`${emu.graphUrl}/v1.0/users`, { dispatcher: undiciAgentFor(caPem)! });
    await response.body?.cancel();
    return response.status;
  };
  const viaHttps = (caPem: string) =>
    new Promise<number>((resolve, reject) => {
      get(`${emu.graphUrl}/v1.0/users`, { agent: httpsAgentFor(caPem)! }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on("error", reject);
    });

  it("are one of each kind per CA for the process, another for another CA", () => {
    expect(undiciAgentFor(emu.caPem)).toBe(undiciAgentFor(emu.caPem));
    expect(httpsAgentFor(emu.caPem)).toBe(httpsAgentFor(emu.caPem));
    expect(undiciAgentFor(otherCa)).not.toBe(undiciAgentFor(emu.caPem));
    expect(httpsAgentFor(otherCa)).not.toBe(httpsAgentFor(emu.caPem));
    expect(undiciAgentFor(undefined)).toBeUndefined();
    expect(httpsAgentFor(undefined)).toBeUndefined();
  });

  it("connect with the emulator's CA (401: the request reached Graph without a token)", async () => {
    expect(await viaUndici(emu.caPem)).toBe(401);
    expect(await viaHttps(emu.caPem)).toBe(401);
  });

  it("refuse the emulator's certificate with another CA, before and after the right one", async () => {
    for (let round = 0; round < 2; round++) {
      await expect(viaUndici(otherCa)).rejects.toMatchObject({
        cause: { code: expect.stringMatching(/VERIFY|CERT|SIGNATURE/) },
      });
      await expect(viaHttps(otherCa)).rejects.toMatchObject({
        code: expect.stringMatching(/VERIFY|CERT|SIGNATURE/),
      });
      expect(await viaUndici(emu.caPem)).toBe(401);
    }
  });
});
