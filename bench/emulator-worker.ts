/**
 * The emulator in a worker thread, for depth measurements. Graph and ARM are separate services in
 * reality; an emulator sharing the client's event loop (or answering in zero time on a loaded
 * machine) receives requests the client sent together one after another, and its depth counter
 * then counts them as sequential round trips. A separate thread and a realistic latency
 * (`latencyMs`, Graph answers in 100-300 ms) make the counter measure the client's plan.
 */
import { parentPort, workerData } from "node:worker_threads";
import { startEmulator } from "../emulator/index.js";
import { loadSnapshot } from "../src/snapshot/load.js";

const { fixture, options } = workerData as { fixture: string; options: Record<string, unknown> };
const emu = await startEmulator({ ...options, snapshot: await loadSnapshot(fixture) });
parentPort!.postMessage({
  authorityHost: emu.authorityHost,
  graphUrl: emu.graphUrl,
  armUrl: emu.armUrl,
  tenantId: emu.tenantId,
  caPem: emu.caPem,
  clientId: emu.env.AZURE_CLIENT_ID,
  clientSecret: emu.env.AZURE_CLIENT_SECRET,
});
parentPort!.on("message", (msg: string) => {
  if (msg === "counters") parentPort!.postMessage({ counters: emu.counters() });
  if (msg === "close") void emu.close().then(() => parentPort!.postMessage({ closed: true }));
});
