/**
 * Windows: the periods in which an emergency account is expected to sign in or change, so the sign-ins
 * and audit events the alerts raise during them are explained (docs/records.md "Windows"). `enroll`
 * opens an enrollment window; drills and real uses will open theirs in the same shape, each kind in
 * its own stream (`windows/enrollment`, `windows/drill`, `windows/use`).
 *
 * A window is a sequence of records sharing its `window` id: `opened`, any number of `event`s,
 * `closed`. A window without `closed` was cut short (the run was killed). No record holds a secret:
 * a Temporary Access Pass is named by its method id only.
 */
export const WINDOW_SCHEMA = "breakglass.window/v1";

export type WindowKind = "enrollment" | "drill" | "use";

/** The stream of a kind of window. */
export const windowStream = (kind: WindowKind): string => `windows/${kind}`;

export interface WindowAccount {
  id: string;
  userPrincipalName: string;
}

export interface WindowOpened {
  schema: typeof WINDOW_SCHEMA;
  type: "opened";
  window: string;
  kind: WindowKind;
  account: WindowAccount;
  /** ISO time on the recording host's clock */
  at: string;
  /** when the window ends at the latest, if nothing closes it first */
  until: string;
  /** who ran it: the command and the host user, never a credential */
  by: string;
  reason: string;
}

export interface WindowEvent {
  schema: typeof WINDOW_SCHEMA;
  type: "event";
  window: string;
  at: string;
  /** what happened, e.g. `pass-created`, `key-seen`, `method-deleted`, `sessions-revoked` */
  event: string;
  /** the facts of the event: object ids, AAGUIDs, times; never a secret */
  detail: Record<string, string | number | boolean | null>;
}

/** How a window ended. Only `completed` ends an enrollment; a re-run resumes the others but `declined`. */
export type WindowOutcome = "completed" | "timed-out" | "interrupted" | "declined" | "failed" | "incomplete";

export interface WindowKey {
  id: string;
  displayName: string | null;
  aaGuid: string | null;
  model: string | null;
  createdDateTime: string | null;
}

export interface WindowClosed {
  schema: typeof WINDOW_SCHEMA;
  type: "closed";
  window: string;
  at: string;
  outcome: WindowOutcome;
  /** the keys the window ended with (enrollment: the keys kept), for the custody registry */
  keys?: WindowKey[];
  message?: string;
}

export type WindowRecord = WindowOpened | WindowEvent | WindowClosed;

/** One window as its records tell it. */
export interface WindowHistory {
  opened: WindowOpened;
  events: WindowEvent[];
  closed?: WindowClosed;
}

const isRecord = (r: unknown): r is WindowRecord =>
  !!r &&
  typeof r === "object" &&
  (r as { schema?: unknown }).schema === WINDOW_SCHEMA &&
  typeof (r as { window?: unknown }).window === "string";

/** The windows of a stream, oldest first; records of another schema or of an unknown window are skipped. */
export function windowsOf(records: readonly unknown[]): WindowHistory[] {
  const byId = new Map<string, WindowHistory>();
  for (const r of records) {
    if (!isRecord(r)) continue;
    if (r.type === "opened") byId.set(r.window, { opened: r, events: [] });
    else {
      const w = byId.get(r.window);
      if (!w) continue;
      if (r.type === "event") w.events.push(r);
      else w.closed = r;
    }
  }
  return [...byId.values()];
}
