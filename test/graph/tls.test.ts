/**
 * The agents of src/graph/tls.ts trust the CA they are given and nothing else: a connection to the
 * emulator succeeds with its CA and fails with another, for both the Graph client's undici agent
 * and the node:https agent of @azure/identity and ARM, including after a context for the right CA
 * was made and kept.
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
    const dispatcher = undiciAgentFor(caPem)!;
    try {
      return (await fetch(`${emu.graphUrl}/v1.0/users`, { dispatcher })).status;
    } finally {
      await dispatcher.close();
    }
  };
  const viaHttps = (caPem: string) =>
    new Promise<number>((resolve, reject) => {
      const agent = httpsAgentFor(caPem)!;
      get(`${emu.graphUrl}/v1.0/users`, { agent }, (res) => {
        res.resume();
        agent.destroy();
        resolve(res.statusCode!);
      }).on("error", (err) => {
        agent.destroy();
        reject(err);
      });
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
