/**
 * State the Graph write endpoints keep beside the tenant store: the clock, objects still inside
 * their replication window, the secret values of Temporary Access Passes (never in the store, so an
 * export cannot see them) and the sign-in sessions a pass opened for security-key registration.
 *
 * Replication (docs/graph-writes.md 0.4): with `replicationDelayMs > 0` a created object is held out of
 * the store until its window ends, so every other request (a GET by id, a list, a `$ref` naming
 * it) behaves as if the replica it reached had not seen the create yet. The service itself still
 * knows it: a second user with the same userPrincipalName is refused.
 */
import type { Collection, Entity, Ref, TenantStore } from "../tenant-store.js";

export interface WriteOptions {
  /** the emulator's clock (ms since the epoch); tests inject one */
  now?: () => number;
  /** how long a created object stays invisible to other requests */
  replicationDelayMs?: number;
}

interface PendingObject {
  collection: Collection;
  entity: Entity;
  visibleAt: number;
  /** links made with the create (members@odata.bind), applied when the object becomes visible */
  onVisible?: () => void;
}

/** A sign-in with a Temporary Access Pass: the session in which the person registers keys. */
export interface TapSession {
  methodId: string;
  startedAt: number;
  /** registration is refused after this instant */
  endsAt: number;
}

export class WriteState {
  readonly now: () => number;
  readonly replicationDelayMs: number;
  private pending: PendingObject[] = [];
  /** TAP method id (lower-case) → the pass value, for the control sign-in only */
  private readonly passes = new Map<string, string>();
  /** user id (lower-case) → the session a pass sign-in opened */
  private readonly sessions = new Map<string, TapSession>();
  /** passes created here, whose usability changes with time (not yet valid → usable → expired) */
  private passMethods: Ref[] = [];

  constructor(
    readonly store: TenantStore,
    options: WriteOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.replicationDelayMs = Math.max(0, options.replicationDelayMs ?? 0);
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Adds a created object: at once, or when its replication window ends. */
  create(collection: Collection, entity: Entity, onVisible?: () => void): void {
    if (this.replicationDelayMs === 0) {
      collection.put(entity);
      onVisible?.();
      this.store.touch();
      return;
    }
    this.pending.push({
      collection,
      entity,
      visibleAt: this.now() + this.replicationDelayMs,
      ...(onVisible ? { onVisible } : {}),
    });
  }

  /**
   * Replaces a stored object after its replication window: until then other requests read the
   * version before the write (a Conditional Access GET can show the pre-PATCH state, docs/graph-writes.md
   * 0.4), while later writes build on the new one (`latest`).
   */
  replace(collection: Collection, entity: Entity): void {
    if (this.replicationDelayMs === 0) {
      collection.put(entity);
      this.store.touch();
      return;
    }
    this.pending = this.pending.filter((p) => !(p.collection === collection && p.entity.id === entity.id));
    this.pending.push({ collection, entity, visibleAt: this.now() + this.replicationDelayMs });
  }

  /** Drops writes of a deleted object still waiting for their window. */
  forget(collection: Collection, id: string): void {
    const k = id.toLowerCase();
    this.pending = this.pending.filter(
      (p) => !(p.collection === collection && p.entity.id.toLowerCase() === k),
    );
  }

  /** The newest version of an object, replicated or not: what the service itself builds on. */
  latest(collection: Collection, id: string): Entity | undefined {
    const k = id.toLowerCase();
    const pending = this.pending.filter(
      (p) => p.collection === collection && p.entity.id.toLowerCase() === k,
    );
    return pending.at(-1)?.entity ?? collection.get(id);
  }

  /** Moves the objects whose window has ended into the store; called before every request. */
  settle(): void {
    this.refreshPasses();
    if (this.pending.length === 0) return;
    const now = this.now();
    const due = this.pending.filter((p) => p.visibleAt <= now);
    if (due.length === 0) return;
    this.pending = this.pending.filter((p) => p.visibleAt > now);
    for (const p of due) {
      p.collection.put(p.entity);
      p.onVisible?.();
    }
    this.store.touch();
  }

  /** An object created but not yet replicated (any collection). */
  pendingObject(id: string): Entity | undefined {
    const k = id.toLowerCase();
    return this.pending.find((p) => p.entity.id.toLowerCase() === k)?.entity;
  }

  /** Pending entities of one collection, for uniqueness rules the service enforces at once. */
  pendingIn(collection: Collection): Entity[] {
    return this.pending.filter((p) => p.collection === collection).map((p) => p.entity);
  }

  /** Tracks a pass whose usability the clock changes. */
  trackPass(method: Ref): void {
    this.passMethods.push(method);
  }

  private refreshPasses(): void {
    if (this.passMethods.length === 0) return;
    const now = this.now();
    let changed = false;
    for (const m of this.passMethods) {
      const start = Date.parse(String(m.startDateTime));
      const end = start + Number(m.lifetimeInMinutes) * 60_000;
      if (m.methodUsabilityReason === "NotYetValid" && now >= start && now < end) {
        m.isUsable = true;
        m.methodUsabilityReason = "EnabledByPolicy";
        changed = true;
      }
      if (now >= end && m.methodUsabilityReason !== "Expired") {
        m.isUsable = false;
        m.methodUsabilityReason = "Expired";
        changed = true;
      }
    }
    this.passMethods = this.passMethods.filter((m) => m.methodUsabilityReason !== "Expired");
    if (changed) this.store.touch();
  }

  rememberPass(methodId: string, value: string): void {
    this.passes.set(methodId.toLowerCase(), value);
  }
  passValue(methodId: string): string | undefined {
    return this.passes.get(methodId.toLowerCase());
  }
  forgetPass(methodId: string): void {
    this.passes.delete(methodId.toLowerCase());
  }

  openSession(userId: string, session: TapSession): void {
    this.sessions.set(userId.toLowerCase(), session);
  }
  session(userId: string): TapSession | undefined {
    return this.sessions.get(userId.toLowerCase());
  }
  endSession(userId: string): void {
    this.sessions.delete(userId.toLowerCase());
  }
}

const states = new WeakMap<TenantStore, WriteState>();

/** The write state of a store, created with the layer's options on first use. */
export function writeStateOf(store: TenantStore, options?: WriteOptions): WriteState {
  let state = states.get(store);
  if (!state) {
    state = new WriteState(store, options);
    states.set(store, state);
  }
  return state;
}
