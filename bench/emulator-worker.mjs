// Worker entry when running from source (tsx): loader hooks are per thread, so register tsx here.
import { register } from "tsx/esm/api";
register();
await import("./emulator-worker.ts");
