/**
 * A finding's fingerprint: what identifies it across runs, for code scanning (SARIF
 * `partialFingerprints`, docs/report.md "SARIF 2.1.0") and for `accept` entries (docs/config.md).
 * It hashes the check id and the subject (type and id); two findings of one check on one subject
 * (two offending policies, say) are told apart by their rank, in the order the check gave them.
 */
import { createHash } from "node:crypto";
import type { Status } from "./types.js";

/** The statuses that carry a fingerprint: what a reader acts on or accepted. */
export const FINGERPRINTED: readonly Status[] = ["fail", "warn", "unknown", "accepted"];

export interface FingerprintSubject {
  type: string;
  id: string;
}

/** Counts findings per subject as they come, and gives each its fingerprint. */
export class Fingerprinter {
  private readonly seen = new Map<string, number>();

  constructor(private readonly checkId: string) {}

  next(subject: FingerprintSubject): string {
    const key = `${this.checkId}\u0000${subject.type}\u0000${subject.id}`;
    const occurrence = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, occurrence);
    const hash = createHash("sha256").update(key).digest("hex").slice(0, 32);
    return occurrence === 1 ? hash : `${hash}:${occurrence}`;
  }
}
