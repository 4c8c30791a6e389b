/**
 * A process that only runs an emulator (the `breakglass emulator` situation without the CLI's own
 * signal handling): prints the CA certificate file, then exits at once (`exit`) or waits for a signal.
 */
import { startEmulator } from "../../emulator/index.js";
import { createFakeGraphLayer } from "./fake-graph-layer.js";
import { sampleSnapshot } from "./support.js";

const emulator = await startEmulator({
  snapshot: sampleSnapshot(),
  graphLayer: createFakeGraphLayer,
  throttle: false,
});
process.stdout.write(`${emulator.caFile}\n`);
if (process.argv[2] === "exit") process.exit(0);
