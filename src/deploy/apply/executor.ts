/**
 * The apply executor (docs/deploy.md "Journal and resumption", "Gates"): sends a plan's changes in
 * order, each through the sender of its service (`graph` now, `arm` for the monitoring kinds), and
 * records every step in the journal before and after its request. The only I/O of deploy lives here
 * and in the senders; what to send was decided by the pure planner, and the executor adds nothing
 * but the ids of objects created earlier in the run and the generated passwords.
 *
 * - `{{ref:<step>}}` is filled from the id the referenced step obtained: the 201 body, or a lookup
 *   by its configured name.
 * - `{{secret}}` is a fresh 64-character password from a CSPRNG, which exists only in memory (and
 *   is handed to `deliver` when the profile keeps passwords).
 * - Resumption: a create that an earlier unfinished journal shows as sent or confirmed is never sent
 *   blindly; it is looked up by its configured name over the replication window (a just-created
 *   object may be invisible to the fresh read the plan came from) and its id used.
 * - The lockout gate runs before each gated step on the state the fresh read and the steps already
 *   sent predict; a refusal stops the run before that step is sent.
 *
 * Each journal record is a point where a kill can be simulated (a JournalWriter that throws), and the
 * run is a plain function of its inputs, so tests drive it with in-memory senders or the emulator.
 */
import type { Envelope } from "../../config/schema.js";
import type { FindResult, WriteResult, WriteStep } from "../../graph/write.js";
import type { Snapshot } from "../../snapshot/schema.js";
import { GATED_KINDS, lockoutGate, type LockoutVerdict } from "../gates.js";
import { predict } from "../predict.js";
import { isChange, resolveRefs, type Service, type Step } from "../types.js";
import type { JournalRecord, JournalWriter, PriorOutcome } from "./journal.js";
import { fillSecret, generatePassword, redact } from "./secrets.js";

/** What sends one step's request: the GraphWriter, or the ARM writer with the same contract. */
export interface StepSender {
  execute(step: WriteStep): Promise<WriteResult>;
  /** finds a create's object by its lookup over the replication window (services with creates) */
  find?(lookup: { url: string }): Promise<FindResult>;
}

export type Senders = Partial<Record<Service, StepSender>>;

export type ApplyEvent =
  | { type: "step"; step: Step; result: "done"; id?: string }
  /** found by its configured name: an earlier run created it, it was not sent again */
  | { type: "step"; step: Step; result: "found"; id?: string }
  | { type: "step"; step: Step; result: "failed"; message: string; outcome: "refused" | "unknown" }
  | { type: "step"; step: Step; result: "refused"; verdict: LockoutVerdict };

export interface ApplyInput {
  planId: string;
  tenantId: string;
  configHash: string;
  /** the plan's steps in apply order; waiting steps are skipped (the enrollment gate) */
  steps: readonly Step[];
  /** the fresh read the steps were derived from: the lockout gate's starting state */
  snapshot: Snapshot;
  /** the emergency accounts that hold their keys (the gate keeps them able to sign in) */
  enrolledAccountIds: readonly string[];
  envelope: Envelope;
  senders: Senders;
  journal: JournalWriter;
  /** what earlier unfinished journals say of the steps (journal.ts priorOutcomes) */
  prior?: ReadonlyMap<string, PriorOutcome>;
  now?: () => Date;
  onEvent?: (event: ApplyEvent) => void;
  /** generates a `{{secret}}` password; the default is a CSPRNG */
  password?: () => string;
  /** with `profile.passwords: kept`: receives a password once its request is confirmed */
  deliver?: (step: Step, secret: string) => Promise<void>;
}

export type ApplyOutcome =
  | { status: "completed"; sent: number; found: number; ids: Map<string, string> }
  | { status: "refused"; sent: number; step: Step; verdict: LockoutVerdict; ids: Map<string, string> }
  | {
      status: "failed";
      sent: number;
      step: Step;
      message: string;
      outcome: "refused" | "unknown";
      ids: Map<string, string>;
    };

/** A plan the executor cannot run at all: nothing is sent (exit 2: the command line or the plan). */
export class ApplyInputError extends Error {
  readonly exitCode = 2;
}

/** The changes of a plan that would be sent, checked for what they need before anything is. */
export function changesToSend(steps: readonly Step[], senders: Senders): Step[] {
  const send = steps.filter(isChange);
  const ids = new Set(send.map((s) => s.id));
  const missingSender = [...new Set(send.map((s) => s.request.service))].filter((svc) => !senders[svc]);
  if (missingSender.length)
    throw new ApplyInputError(
      `no writer for ${missingSender.join(", ")} requests in this run (steps ${send
        .filter((s) => missingSender.includes(s.request.service))
        .map((s) => s.id)
        .join(", ")})`,
    );
  const unmet = send.flatMap((s) => s.needs.filter((n) => !ids.has(n)).map((n) => `${s.id} needs ${n}`));
  if (unmet.length)
    throw new ApplyInputError(
      `some steps reference objects this run would not create: ${unmet.join("; ")} (widen --target)`,
    );
  return send;
}

/**
 * Whether a re-sent link or assignment (never a create) only found its work done by an earlier,
 * interrupted run: Graph's "nothing to do" answers (docs/graph-writes.md 2.2, 4).
 */
const alreadyDone = (r: Extract<WriteResult, { ok: false }>): boolean =>
  r.status === 400 &&
  (r.code === "RoleAssignmentExists" || /added object references already exist/i.test(r.message));

export async function executePlan(input: ApplyInput): Promise<ApplyOutcome> {
  const now = input.now ?? (() => new Date());
  const at = () => now().toISOString();
  const makePassword = input.password ?? (() => generatePassword());
  const prior = input.prior ?? new Map<string, PriorOutcome>();
  const send = changesToSend(input.steps, input.senders);
  const ids = new Map<string, string>();
  /** passwords of this run, scrubbed from every message that leaves the executor */
  const secrets: string[] = [];
  const record = (r: JournalRecord) => input.journal.append(r);
  const emit = (e: ApplyEvent) => input.onEvent?.(e);
  let sent = 0;
  let found = 0;

  await record({
    type: "started",
    at: at(),
    planId: input.planId,
    tenantId: input.tenantId,
    configHash: input.configHash,
    steps: send.length,
    pid: process.pid,
  });
  for (const s of send)
    await record({
      type: "planned",
      at: at(),
      step: s.id,
      action: s.action,
      method: s.request.method,
      url: s.request.url,
    });

  let state = input.snapshot;
  for (const step of send) {
    if (GATED_KINDS.has(step.kind)) {
      const { verdict } = lockoutGate({
        before: state,
        step,
        enrolledAccountIds: input.enrolledAccountIds,
        envelope: input.envelope,
        ids,
      });
      if (!verdict.allowed) {
        await record({ type: "refused", at: at(), step: step.id, gate: "lockout", reasons: verdict.reasons });
        emit({ type: "step", step, result: "refused", verdict });
        return { status: "refused", sent, step, verdict, ids };
      }
    }
    const sender = input.senders[step.request.service]!;
    let request = resolveRefs(step.request, ids);
    const lookup = step.lookup ? { url: resolveRefs(step.lookup.url, ids) } : undefined;
    const earlier = prior.get(step.id);

    // A create an earlier run may have made: find it by name before anything is sent.
    if (lookup && earlier && sender.find) {
      const hit = await sender.find(lookup);
      if (hit.kind === "found" && hit.id) {
        ids.set(step.id, hit.id);
        await record({ type: "confirmed", at: at(), step: step.id, id: hit.id, via: "lookup" });
        emit({ type: "step", step, result: "found", id: hit.id });
        found++;
        state = predict(state, step, ids);
        continue;
      }
      if (hit.kind !== "absent" && hit.kind !== "found") {
        const message = `an earlier run may have created it (${earlier.journal}), and the lookup cannot tell: ${hit.message}`;
        await record({ type: "failed", at: at(), step: step.id, outcome: "unknown", message });
        emit({ type: "step", step, result: "failed", message, outcome: "unknown" });
        return { status: "failed", sent, step, message, outcome: "unknown", ids };
      }
      // absent over the whole replication window: the earlier attempt did not create it
    }

    let secret: string | undefined;
    if (step.secret === "password") {
      secret = makePassword();
      secrets.push(secret);
      request = fillSecret(request, secret);
    }
    await record({ type: "sent", at: at(), step: step.id, method: request.method, url: request.url });
    sent++;
    const result = await sender.execute({ request, ...(lookup ? { lookup } : {}) });
    if (!result.ok && !(earlier && !lookup && alreadyDone(result))) {
      const message = redact(result.message, secrets);
      await record({
        type: "failed",
        at: at(),
        step: step.id,
        outcome: result.outcome,
        ...(result.status !== undefined ? { status: result.status } : {}),
        ...(result.code ? { code: result.code } : {}),
        message,
      });
      emit({ type: "step", step, result: "failed", message, outcome: result.outcome });
      return { status: "failed", sent, step, message, outcome: result.outcome, ids };
    }
    const id = result.ok ? result.id : undefined;
    if (lookup && !id) {
      // A create must give the id later steps reference; without it they cannot be sent.
      const message = "the create succeeded but its answer carries no id";
      await record({ type: "failed", at: at(), step: step.id, outcome: "unknown", message });
      emit({ type: "step", step, result: "failed", message, outcome: "unknown" });
      return { status: "failed", sent, step, message, outcome: "unknown", ids };
    }
    if (id && lookup) ids.set(step.id, id);
    await record({
      type: "confirmed",
      at: at(),
      step: step.id,
      ...(id && lookup ? { id } : {}),
      via: result.ok && result.foundByLookup ? "lookup" : "response",
      ...(result.ok ? { status: result.status } : {}),
    });
    emit({ type: "step", step, result: "done", ...(id && lookup ? { id } : {}) });
    if (secret !== undefined && input.deliver) await input.deliver(step, secret);
    state = predict(state, step, ids);
  }
  await record({ type: "completed", at: at(), sent });
  return { status: "completed", sent, found, ids };
}
