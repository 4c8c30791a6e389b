/**
 * `breakglass enroll ACCOUNT`: one account's security keys registered with a one-time Temporary
 * Access Pass, then everything else removed (docs/deploy.md "Enroll"). The steps, in order:
 *
 * 1. resolve the account among the configured ones, read its groups, methods and the pass policy;
 *    an account that already holds its keys is only verified (no pass, no write, no terminal needed);
 * 2. the write-permission gate (injected: the token's grants are the CLI's business), the terminal
 *    check (the pass is shown once), the `apply` lock (enroll and apply never run at once);
 * 3. an enrollment record opened (`enrollments/<id>.json`, src/records/access.ts): its window
 *    explains the account's sign-ins in it (EA-MON-05), as drills' and uses' windows do;
 * 4. the pass method enabled for the group when it does not reach the account; a one-time pass
 *    created, shown once on the terminal and dropped;
 * 5. the account's keys polled (injected clock) until enough keys registered since this enrollment
 *    began meet the profile, or the timeout (exit 5: the pass is deleted, a re-run makes a new one
 *    and keeps the keys registered so far, since the enrollment records say when it began);
 * 6. the operator confirms the keys (`--yes` confirms); older keys, the pass and every other method
 *    but the password are deleted; the sessions revoked; the window closed; the keys printed for the
 *    custody registry.
 *
 * The pass exists only in the create's answer and the one line that shows it: never in a record, an
 * error, a log or a file.
 */
import type { Config } from "../config/schema.js";
import { IncompleteError, RefusedError, TenantUnreadableError, UsageError } from "../errors.js";
import type { Clock, GraphApi, GraphWriter, WriteResult } from "../graph/index.js";
import type { RecordStore } from "../records/store.js";
import {
  closeRecord,
  listRecords,
  newRecordId,
  openRecord,
  ACCESS_RECORD_SCHEMA,
  type AccessRecord,
  type KeyReading,
} from "../records/access.js";
import { norm } from "../snapshot/directory.js";
import type { AuthenticationMethod } from "../snapshot/schema.js";
import {
  cleanup,
  describeKey,
  fido2Of,
  keyRules,
  keysSince,
  methodKind,
  passLifetime,
  passPolicyChange,
  reaches,
  verifyKeys,
  type KeyRules,
  type KeyVerdict,
} from "./enroll.js";
import type { ConfigBody } from "./methods.js";

type Json = Record<string, unknown>;

export const SECURITY_INFO_URL = "https://aka.ms/mysecurityinfo";
/** Entra's limit: keys are registered within 10 minutes of a one-time pass's sign-in. */
export const ONE_TIME_PASS_WINDOW_MINUTES = 10;
const TAP_CONFIG =
  "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass";

export interface EnrollOptions {
  /** the account as the operator names it: a UPN or an object id */
  account: string;
  /** keys to register (default profile.keysPerAccount) */
  keys?: number;
  /** how long to wait for the keys (ms) */
  timeoutMs: number;
  /** between two looks at the account's keys (ms) */
  pollMs: number;
  /** the operator confirmed the keys in advance */
  yes: boolean;
}

export interface EnrollIo {
  /** the terminal: the one place the pass is shown */
  out(text: string): void;
  err(text: string): void;
  /** whether `out` is an interactive terminal (and a confirmation can be asked, unless --yes) */
  interactive: boolean;
  confirm(question: string): Promise<boolean>;
  /** who runs it, for the window record (the host user, never a credential) */
  operator: string;
}

/** What the write-permission gate is told about the run it guards. */
export interface GateNeeds {
  /** the account is an administrator already (a role-assignable group, a role): docs/graph-writes.md 0.6 */
  protectedAccount: boolean;
  /** the pass method's targets must change */
  policyChange: boolean;
}

export interface EnrollDeps {
  graph: GraphApi;
  writer: GraphWriter;
  store: RecordStore;
  clock: Clock;
  /** throws RefusedError (exit 4) naming what the token lacks */
  gate(needs: GateNeeds): Promise<void>;
  /** Ctrl-C: the wait ends, the pass is deleted and the window closed `interrupted` (exit 5) */
  signal?: AbortSignal;
}

interface Account {
  id: string;
  userPrincipalName: string;
  accountEnabled?: boolean;
}

/** Runs an enrollment; the exit code on success (0), an ExitCodeError otherwise. */
export async function runEnrollment(
  config: Config,
  options: EnrollOptions,
  io: EnrollIo,
  deps: EnrollDeps,
): Promise<number> {
  const rules = keyRules(config.profile, options.keys);
  const reader = new Reader(deps.graph);
  const account = await resolveAccount(config, options.account, reader);
  const upn = account.userPrincipalName;
  const groups = await reader.list(
    `/users/${account.id}/transitiveMemberOf?$select=id,displayName,isAssignableToRole`,
  );
  const methods = await reader.methods(account.id);

  const existing = verifyKeys(fido2Of(methods), rules);
  if (existing.complete) return verifyOnly(account, methods, existing, io);

  if (account.accountEnabled === false)
    throw new RefusedError(
      `${upn} is disabled: nobody can sign in to register keys (breakglass apply enables it)`,
    );
  const group = emergencyGroup(config, groups);
  const groupIds = groups.map((g) => String(g.id));
  const policy = await reader.one(TAP_CONFIG);
  let policyBody: ConfigBody | undefined;
  if (!reaches(policy, account.id, groupIds)) {
    if (!group)
      throw new RefusedError(
        `the Temporary Access Pass method does not reach ${upn}, and it is not a member of the emergency group${config.group || config.names?.group ? "" : " (none configured)"}: run breakglass apply first`,
      );
    policyBody = passPolicyChange(policy, String(group.id));
  }
  await deps.gate({
    protectedAccount: groups.some((g) => g.isAssignableToRole === true),
    policyChange: policyBody !== undefined,
  });
  if (!io.interactive)
    throw new UsageError(
      "enroll shows the Temporary Access Pass once, on the terminal: run it in an interactive terminal (not in a pipe, a CI job or with its output redirected)",
    );

  const lock = await deps.store.lock("apply", `breakglass enroll ${upn}`);
  try {
    return await new Enrollment(config, options, io, deps, rules, account, methods).run(policy, policyBody);
  } finally {
    await lock.release();
  }
}

/** An enrolled account: its keys shown, nothing written. */
function verifyOnly(
  account: Account,
  methods: AuthenticationMethod[],
  verdict: KeyVerdict,
  io: EnrollIo,
): number {
  io.out(
    `${account.userPrincipalName} is enrolled: ${verdict.accepted.length} security keys meet the profile; nothing to do.\n`,
  );
  io.out(custodyTable(verdict.accepted));
  const others = methods.filter(
    (m) => methodKind(m) !== "password" && !verdict.accepted.some((k) => norm(k.id) === norm(m.id)),
  );
  if (others.length)
    io.err(
      `warning: ${account.userPrincipalName} also holds ${others.map((m) => methodKind(m)).join(", ")}; breakglass apply removes what the profile forbids\n`,
    );
  return 0;
}

class Enrollment {
  private readonly record: string;
  /** what the run did, written into the record when it closes (a record is completed once) */
  private readonly done: NonNullable<AccessRecord["steps"]> = [];
  private readonly upn: string;
  private passId: string | undefined;
  private closed = false;

  constructor(
    private readonly config: Config,
    private readonly options: EnrollOptions,
    private readonly io: EnrollIo,
    private readonly deps: EnrollDeps,
    private readonly rules: KeyRules,
    private readonly account: Account,
    private readonly methodsAtStart: AuthenticationMethod[],
  ) {
    this.upn = account.userPrincipalName;
    this.record = newRecordId("enrollment", new Date(deps.clock.now()));
  }

  private now(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  async run(policy: Json, policyBody: ConfigBody | undefined): Promise<number> {
    const earlier = (await listRecords(this.deps.store)).filter(
      (r) => r.kind === "enrollment" && norm(r.account.id) === norm(this.account.id),
    );
    await openRecord(this.deps.store, {
      schema: ACCESS_RECORD_SCHEMA,
      id: this.record,
      kind: "enrollment",
      account: { id: this.account.id, userPrincipalName: this.upn },
      by: this.io.operator,
      reason: `breakglass enroll: ${this.rules.keys} security keys registered with a Temporary Access Pass`,
      startedAt: this.now(),
      keysAtStart: fido2Of(this.methodsAtStart).map(keyReading),
    });
    try {
      return await this.steps(policy, policyBody, resumeFrom(earlier));
    } catch (err) {
      if (!this.closed) {
        await this.dropPass();
        await this.close("failed", messageOf(err));
      }
      throw err;
    }
  }

  private async steps(
    policy: Json,
    policyBody: ConfigBody | undefined,
    resumed: string | undefined,
  ): Promise<number> {
    const io = this.io;
    if (policyBody) {
      await this.write(
        "PATCH",
        `/v1.0${TAP_CONFIG}`,
        policyBody,
        "enable the Temporary Access Pass method for the emergency group",
      );
      this.step("the Temporary Access Pass method enabled for the emergency group");
    }
    const lifetime = passLifetime(policy, this.config.profile.tapLifetimeMinutes);
    const created = await this.write(
      "POST",
      `/v1.0/users/${this.account.id}/authentication/temporaryAccessPassMethods`,
      { lifetimeInMinutes: lifetime, isUsableOnce: true },
      "create the Temporary Access Pass",
    );
    const body = (created.ok ? created.body : {}) as Json;
    this.passId = typeof body.id === "string" ? body.id : undefined;
    const passCreated = typeof body.createdDateTime === "string" ? body.createdDateTime : this.now();
    const expires = new Date(
      Date.parse(typeof body.startDateTime === "string" ? body.startDateTime : passCreated) +
        lifetime * 60_000,
    );
    this.step(
      `one-time pass created: method ${this.passId ?? "?"}`,
      `created ${passCreated}, ${lifetime} minutes`,
    );
    // The keys of this enrollment: registered since its first pass (an earlier run that timed out
    // counts, so a re-run resumes instead of deleting what the person registered then).
    const since = resumed ?? passCreated;
    if (typeof body.temporaryAccessPass !== "string" || !body.temporaryAccessPass)
      throw new IncompleteError(
        `Graph created a pass for ${this.upn} but did not return it; run breakglass enroll again`,
      );
    this.showPass(body.temporaryAccessPass, lifetime, expires);

    const deadline = this.deps.clock.now() + this.options.timeoutMs;
    io.out(
      `Waiting for ${this.rules.keys} security keys on ${this.upn}, until ${hhmm(deadline)} (Ctrl-C stops; a re-run resumes)${resumed ? `; keys registered since ${resumed} count` : ""}.\n`,
    );
    const seen = new Set<string>();
    let passUsed = false;
    let methods: AuthenticationMethod[];
    let verdict: KeyVerdict;
    for (;;) {
      methods = await new Reader(this.deps.graph).methods(this.account.id);
      verdict = verifyKeys(keysSince(methods, since), this.rules);
      for (const k of verdict.accepted)
        if (!seen.has(k.id)) {
          seen.add(k.id);
          io.out(`  key registered: ${describeKey(k)}, AAGUID ${k.aaGuid ?? "?"}: meets the profile\n`);
          this.step(
            `key accepted: ${k.displayName ?? k.id}`,
            `AAGUID ${k.aaGuid ?? "?"}, registered ${k.createdDateTime ?? "?"}`,
          );
        }
      for (const { key, reason } of verdict.refused)
        if (!seen.has(key.id)) {
          seen.add(key.id);
          io.out(
            `  key registered: ${describeKey(key)}, AAGUID ${key.aaGuid ?? "?"}: REFUSED, ${reason}; it will be removed\n`,
          );
          this.step(`key refused: ${key.displayName ?? key.id}`, reason);
        }
      const pass = methods.find((m) => norm(m.id) === norm(this.passId));
      if (!passUsed && pass && pass.isUsable === false && pass.methodUsabilityReason === "OneTimeUsed") {
        passUsed = true;
        io.out(
          `  the pass was used (about ${hhmm(this.deps.clock.now())}): register the keys in that sign-in, within ${ONE_TIME_PASS_WINDOW_MINUTES} minutes of it\n`,
        );
      }
      if (verdict.complete) break;
      const left = deadline - this.deps.clock.now();
      if (left <= 0) {
        await this.dropPass();
        await this.close("timed-out", `timed out: still missing ${verdict.missing}`);
        throw new IncompleteError(
          `timed out after ${minutes(this.options.timeoutMs)} waiting for ${this.upn}'s keys: still missing ${verdict.missing}. ` +
            `The pass was deleted; run breakglass enroll ${this.upn} again to resume (a new pass; the keys registered so far are kept)`,
        );
      }
      await this.pause(Math.min(this.options.pollMs, left));
      if (this.deps.signal?.aborted) {
        await this.dropPass();
        await this.close("interrupted", "interrupted by the operator");
        throw new IncompleteError(
          `interrupted: the pass was deleted; run breakglass enroll ${this.upn} again to resume (a new pass; the keys registered so far are kept)`,
        );
      }
    }

    const { removals, undeletable } = cleanup(this.account.id, methods, verdict.accepted, since);
    io.out(`\nKeys to keep on ${this.upn}:\n${custodyTable(verdict.accepted)}`);
    if (removals.length) io.out(`To remove:\n${removals.map((r) => `  - ${r.why}\n`).join("")}`);
    io.out(`Then the account's sessions are revoked.\n`);
    const confirmed =
      this.options.yes || (await io.confirm("Are these your keys, and may the rest be removed? [y/N] "));
    if (!confirmed) {
      await this.dropPass();
      await this.close("declined", "the operator did not confirm the keys");
      throw new RefusedError(
        `not confirmed: nothing was removed but the pass, and the keys registered stay; delete those that are not yours (${SECURITY_INFO_URL} or the Entra admin center), then run breakglass enroll ${this.upn} again`,
      );
    }

    const failures: string[] = [];
    for (const r of removals) {
      const result = await this.deps.writer.execute({ request: { method: "DELETE", url: r.url } });
      if (result.ok || result.status === 404) {
        if (norm(r.method.id) === norm(this.passId)) this.passId = undefined;
        this.step(`deleted: ${r.why}`, `method ${r.method.id}`);
      } else failures.push(`${r.why}: ${result.message}`);
    }
    for (const u of undeletable) failures.push(u.why);
    const revoked = await this.deps.writer.execute({
      request: { method: "POST", url: `/v1.0/users/${this.account.id}/revokeSignInSessions` },
    });
    if (revoked.ok) this.step("sign-in sessions revoked");
    else failures.push(`revoke the sign-in sessions: ${revoked.message}`);

    if (failures.length) {
      await this.close("incomplete", failures.join("; "));
      throw new IncompleteError(
        `${this.upn}'s keys are registered, but ${failures.length} cleanup step(s) failed: ${failures.join("; ")}. Fix and run breakglass enroll ${this.upn} again, or let breakglass apply remove them`,
      );
    }
    await this.close("completed");
    io.out(
      `\n${this.upn} is enrolled. Record these keys in the custody registry (label, model, AAGUID):\n${custodyTable(verdict.accepted)}` +
        `Close the browser window used for the registration. Then run breakglass plan: once every account is enrolled, apply switches the policy on, assigns the role and stops targeting the group with the Temporary Access Pass.\n`,
    );
    return 0;
  }

  /** The poll's wait, cut short by Ctrl-C. */
  private async pause(ms: number): Promise<void> {
    const signal = this.deps.signal;
    if (!signal) return this.deps.clock.sleep(ms);
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
      void this.deps.clock.sleep(ms).then(done);
    });
  }

  private showPass(pass: string, lifetime: number, expires: Date): void {
    // The only place the pass goes: one line of the terminal. It is not kept in any variable after this.
    this.io.out(
      `\nTemporary Access Pass for ${this.upn}: ${pass}\n` +
        `  one use, valid ${lifetime} minutes (until ${hhmm(expires.getTime())}); shown once, stored nowhere.\n` +
        `Sign in as ${this.upn} at ${SECURITY_INFO_URL} (a private browser window) with this pass, and register ` +
        `${this.rules.keys} security keys in that sign-in, within ${ONE_TIME_PASS_WINDOW_MINUTES} minutes of it (Entra's limit for a one-time pass).\n`,
    );
  }

  /** Best effort: a pass left behind would be a way in that outlives the enrollment. */
  private async dropPass(): Promise<void> {
    if (!this.passId) return;
    const result = await this.deps.writer.execute({
      request: {
        method: "DELETE",
        url: `/v1.0/users/${this.account.id}/authentication/temporaryAccessPassMethods/${this.passId}`,
      },
    });
    if (result.ok || result.status === 404) {
      this.step("deleted: the Temporary Access Pass", `method ${this.passId}`);
      this.passId = undefined;
    } else
      this.io.err(
        `warning: the Temporary Access Pass of ${this.upn} could not be deleted (${result.message}); breakglass apply deletes it, or delete it in the portal\n`,
      );
  }

  private async write(
    method: string,
    url: string,
    body: Json,
    what: string,
  ): Promise<WriteResult & { ok: true }> {
    const result = await this.deps.writer.execute({ request: { method, url, body } });
    if (result.ok) return result;
    const detail = `${what} (${method} ${url}) failed: ${result.message}`;
    if (result.status === 403 || result.status === 401)
      throw new RefusedError(`${detail}; breakglass permissions enroll lists what it needs`);
    throw new IncompleteError(`${detail}; run breakglass enroll ${this.upn} again`);
  }

  private step(step: string, notes?: string): void {
    this.done.push({ step, status: "done", at: this.now(), ...(notes ? { notes } : {}) });
  }

  /**
   * Completes the record: success only for a finished enrollment; the operator's refusal is a
   * failure (a re-run starts afresh); anything else is incomplete (a re-run resumes).
   */
  private async close(
    how: "completed" | "timed-out" | "interrupted" | "declined" | "failed" | "incomplete",
    notes?: string,
  ): Promise<void> {
    this.closed = true;
    const methods = await new Reader(this.deps.graph).methods(this.account.id).catch(() => undefined);
    await closeRecord(this.deps.store, this.record, {
      finishedAt: this.now(),
      outcome: how === "completed" ? "success" : how === "declined" ? "failure" : "incomplete",
      notes: notes ? `${how}: ${notes}` : how,
      steps: this.done,
      ...(methods ? { keysAtFinish: fido2Of(methods).map(keyReading) } : {}),
    });
  }
}

/**
 * Where a resumed enrollment begins: the start of the account's first enrollment record after its
 * last successful or refused one (a record cut short, timed out or failed leaves keys a re-run keeps).
 */
export function resumeFrom(records: readonly AccessRecord[]): string | undefined {
  let from: string | undefined;
  for (const r of [...records].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
    if (r.outcome === "success" || r.outcome === "failure") from = undefined;
    else from ??= r.startedAt;
  }
  return from;
}

/** The configured account the operator named, by UPN or id; anything else is exit 2 with the list. */
async function resolveAccount(config: Config, name: string, reader: Reader): Promise<Account> {
  const refs = (config.accounts ?? []).map((r) => r.trim());
  if (!refs.length)
    throw new UsageError(
      "the configuration names no emergency accounts (accounts:); breakglass init writes them",
    );
  const wanted = norm(name.trim());
  const select = "$select=id,userPrincipalName,accountEnabled";
  const direct = refs.find((r) => norm(r) === wanted);
  const found: Account[] = [];
  for (const ref of direct ? [direct] : refs) {
    const user = await reader.maybe(`/users/${encodeURIComponent(ref)}?${select}`);
    if (user)
      found.push({
        id: String(user.id),
        userPrincipalName: String(user.userPrincipalName ?? ref),
        ...(typeof user.accountEnabled === "boolean" ? { accountEnabled: user.accountEnabled } : {}),
      });
    else if (direct)
      throw new UsageError(
        `${ref} is configured but does not exist in the tenant yet: run breakglass apply first`,
      );
  }
  const hit = found.find((a) => norm(a.id) === wanted || norm(a.userPrincipalName) === wanted);
  if (!hit)
    throw new UsageError(`${name} is not one of the configured emergency accounts: ${refs.join(", ")}`);
  return hit;
}

/** The emergency group among the account's groups: the configured id or name, or `names.group`. */
function emergencyGroup(config: Config, groups: Json[]): Json | undefined {
  const names = [config.group, config.names?.group?.displayName].filter((n): n is string => !!n).map(norm);
  return groups.find(
    (g) => names.includes(norm(String(g.id))) || names.includes(norm(String(g.displayName ?? ""))),
  );
}

/** GETs the run needs; a read that fails is exit 3 (the tenant cannot be read), a 404 is absence. */
class Reader {
  constructor(private readonly graph: GraphApi) {}

  async maybe(path: string): Promise<Json | undefined> {
    const r = await this.graph.get(path, "v1.0");
    if (r.ok) return r.body as Json;
    if (r.error.status === 404) return undefined;
    throw new TenantUnreadableError(`cannot read ${path.split("?")[0]}: ${r.error.message}`);
  }

  async one(path: string): Promise<Json> {
    const body = await this.maybe(path);
    if (!body) throw new TenantUnreadableError(`cannot read ${path}: not found`);
    return body;
  }

  async list(path: string): Promise<Json[]> {
    const out: Json[] = [];
    let next: string | undefined = path;
    while (next) {
      const page = await this.one(next);
      out.push(...((page.value ?? []) as Json[]));
      next = typeof page["@odata.nextLink"] === "string" ? page["@odata.nextLink"] : undefined;
    }
    return out;
  }

  async methods(userId: string): Promise<AuthenticationMethod[]> {
    return (await this.list(`/users/${userId}/authentication/methods`)) as AuthenticationMethod[];
  }
}

const keyReading = (k: AuthenticationMethod): KeyReading => ({
  methodId: k.id,
  aaGuid: k.aaGuid ?? null,
  displayName: k.displayName ?? null,
});

/** The keys as the custody registry records them. */
export function custodyTable(keys: readonly AuthenticationMethod[]): string {
  const rows = keys.map((k) => [
    k.displayName ?? "(no label)",
    k.model ?? "?",
    k.aaGuid ?? "?",
    (k.createdDateTime ?? "?").replace(/:\d\d(\.\d+)?Z$/, "Z"),
  ]);
  const head = ["label", "model", "AAGUID", "registered"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    `  ${r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd()}\n`;
  return [head, ...rows].map(line).join("");
}

const hhmm = (ms: number) => `${new Date(ms).toISOString().slice(11, 16)} UTC`;
const minutes = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
