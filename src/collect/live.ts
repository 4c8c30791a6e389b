/**
 * Reading the live tenant for a command (`export`, `assess` without --snapshot): clients from the
 * environment, the export with a progress display, and the two outcomes every live command shares:
 * a warning when a read-only token carries write permissions, and exit code 3 when the tenant could
 * not be read at all.
 */
import type { Config } from "../config/schema.js";
import { createClients, type AuthMethod, type Clients } from "../graph/index.js";
import { TenantUnreadableError } from "../errors.js";
import { unreadTenantReasons } from "../snapshot/readable.js";
import type { Snapshot } from "../snapshot/schema.js";
import { exportTenant, type ExportResult } from "./export.js";
import { createProgress } from "./progress.js";

export interface LiveReadOptions {
  config: Config;
  auth?: AuthMethod;
  /** retries per request on transient failures. */
  retries?: number;
  /** the command, named in the write-permission warning. */
  command: string;
  warn?: (line: string) => void;
  /** clients already built (apply reads and writes through the same credential) */
  clients?: Clients;
  /** the command also writes: its write permissions are expected, not worth a warning */
  writes?: boolean;
}

export async function readLiveTenant(options: LiveReadOptions): Promise<ExportResult> {
  const warn = options.warn ?? ((line: string) => void process.stderr.write(line));
  const clients =
    options.clients ??
    createClients({
      auth: { method: options.auth, tenantId: options.config.tenant ?? process.env.AZURE_TENANT_ID },
      maxRetries: options.retries,
    });
  const progress = createProgress();
  let result: ExportResult;
  try {
    result = await exportTenant({ clients, config: options.config, onProgress: (e) => progress.update(e) });
  } catch (err) {
    if ((err as { exitCode?: number }).exitCode === 2) throw err;
    // No token, or the tenant refused everything: nothing worth grading or writing.
    throw new TenantUnreadableError(`cannot read the tenant: ${(err as Error).message}`);
  } finally {
    progress.finish();
  }
  assertTenantRead(result.snapshot);
  if (result.writePermissions.length && !options.writes)
    warn(
      `warning: ${options.command} only reads, but its token also grants ${result.writePermissions.join(", ")}; ` +
        `a read-only app registration is enough (breakglass permissions ${options.command})\n`,
    );
  return result;
}

/**
 * Exit 3 when not one core section could be read (docs/exit-codes.md): the export then holds
 * nothing to grade, and a snapshot of nothing must not be written or graded.
 */
export function assertTenantRead(snapshot: Snapshot): void {
  const reasons = unreadTenantReasons(snapshot);
  if (reasons)
    throw new TenantUnreadableError(
      `cannot read the tenant: none of the core sections could be read (${reasons.join("; ")})`,
    );
}
