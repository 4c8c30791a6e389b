/** Start and drive the emulator of bench/emulator-worker.ts from the main thread. */
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type { AppRegistrationInput, CountersSnapshot } from "../emulator/index.js";
import { createClients, type Clients } from "../src/graph/index.js";

export interface WorkerEmulator {
  authorityHost: string;
  graphUrl: string;
  armUrl: string;
  tenantId: string;
  caPem: string;
  clientId: string;
  clientSecret: string;
  counters(): Promise<CountersSnapshot>;
  close(): Promise<void>;
}

export async function startWorkerEmulator(
  fixture: string,
  options: {
    throttle?: boolean;
    latencyMs?: number;
    faultRate?: number;
    seed?: number;
    deployer?: boolean;
    apps?: AppRegistrationInput[];
  },
): Promise<WorkerEmulator> {
  // From source (tsx) the worker needs the TypeScript loader; built, it is plain JavaScript.
  const entry = import.meta.url.endsWith(".ts") ? "./emulator-worker.mjs" : "./emulator-worker.js";
  const worker = new Worker(new URL(entry, import.meta.url), { workerData: { fixture, options } });
  const [info] = (await once(worker, "message")) as [Omit<WorkerEmulator, "counters" | "close">];
  return {
    ...info,
    async counters() {
      worker.postMessage("counters");
      const [msg] = (await once(worker, "message")) as [{ counters: CountersSnapshot }];
      return msg.counters;
    },
    async close() {
      worker.postMessage("close");
      await once(worker, "message");
      await worker.terminate();
    },
  };
}

/**
 * The real client stack for the worker's tenant, as its first app with a secret; `env` as
 * createClients reads it (`BREAKGLASS_GRAPH_PACING: "off"` when the emulator does not throttle).
 */
export function clientsOf(emu: WorkerEmulator, env: Parameters<typeof createClients>[1] = {}): Clients {
  return createClients(
    {
      auth: {
        method: "secret",
        tenantId: emu.tenantId,
        clientId: emu.clientId,
        clientSecret: emu.clientSecret,
        authorityHost: emu.authorityHost,
      },
      caPem: emu.caPem,
      graphUrl: emu.graphUrl,
      armUrl: emu.armUrl,
    },
    env,
  );
}
