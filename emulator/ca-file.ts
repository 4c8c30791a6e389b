/**
 * The one TLS file the emulator writes: its CA certificate, which a client process needs as
 * NODE_EXTRA_CA_CERTS. Every private key (the CA's, the server's, the token signing key) stays in
 * memory, so nothing another local user could read or swap is left on disk.
 *
 * Without a directory from the caller, the certificate goes in a fresh temp directory (mode 0700)
 * shared by the emulators of this process. It is removed when the last of them closes, and on exit,
 * SIGINT and SIGTERM (signal-exit re-raises the signal when nobody else handles it, so Ctrl-C still
 * stops a process that only runs the emulator).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onExit } from "signal-exit";

export const CA_FILE_NAME = "ca.pem";

/** Writes `ca.pem` in `dir` atomically (a new file created exclusively, then renamed over the old). */
export async function writeCaCertificate(dir: string, certificatePem: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, CA_FILE_NAME);
  const temp = join(dir, `.${CA_FILE_NAME}.${randomBytes(8).toString("hex")}.tmp`);
  // "wx": O_CREAT | O_EXCL, so a planted file or symlink at the temp name is never followed
  const handle = await open(temp, "wx", 0o644);
  try {
    await handle.writeFile(certificatePem);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return file;
}

export interface CaDirectory {
  dir: string;
  /** the emulator using it has closed; the last release removes a temp directory */
  release(): void;
}

let shared: { dir: string; users: number; removeOnExit: () => void } | undefined;

function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The caller's directory (never removed), or this process's temp directory. */
export function acquireCaDirectory(callerDir?: string): CaDirectory {
  if (callerDir) return { dir: callerDir, release: () => {} };
  if (!shared) {
    const dir = mkdtempSync(join(tmpdir(), "breakglass-emulator-"));
    shared = { dir, users: 0, removeOnExit: onExit(() => removeDir(dir)) };
  }
  const current = shared;
  current.users++;
  let released = false;
  return {
    dir: current.dir,
    release() {
      if (released) return;
      released = true;
      current.users--;
      if (current.users === 0 && shared === current) {
        shared = undefined;
        current.removeOnExit();
        removeDir(current.dir);
      }
    },
  };
}
