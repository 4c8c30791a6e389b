/**
 * `logs scan`: reads exported sign-in logs as streams, in memory bounded by the longest record, and
 * lists every sign-in of the emergency accounts with whether a drill, use or enrollment window
 * explains it.
 *
 * Formats, detected from the content (gzip from its magic bytes):
 * - Log Analytics JSONL (one `SigninLogs` / `AADNonInteractiveUserSignInLogs` row a line): the
 *   fast path. A line is parsed only when it names an account (a case-insensitive search of the raw
 *   bytes for the accounts' ids and UPNs), so a 1 GB export costs little more than reading it.
 * - Graph JSON (`{"value": [...]}`, and several pages one after another in one file) and the Entra
 *   portal's JSON download (a top-level array): stream-json, one record at a time.
 * - The portal's CSV download: csv-parse (quoted commas, quoted newlines, CRLF, BOM).
 *
 * A record that cannot be read (a torn last line of a killed export, a JSON document cut short) is a
 * note, never a silent skip and never a crash; what was read before it stands.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { windowExplaining, type AccessWindow } from "../records/windows.js";

export type LogFormat = "jsonl" | "graph-json" | "json-array" | "csv";

export interface ScanOptions {
  /** the emergency accounts: object ids or userPrincipalNames (the config's `accounts`) */
  accounts: readonly string[];
  windows: readonly AccessWindow[];
  /** ms since the epoch: sign-ins before `from` or after `to` are left out */
  from?: number;
  to?: number;
}

export interface ScannedSignIn {
  file: string;
  format: LogFormat;
  /** line (JSONL, CSV: the record's first line) or record number (JSON), from 1 */
  record: number;
  time: string;
  userId: string | null;
  userPrincipalName: string | null;
  result: "success" | "failure";
  /** the error code as the log gives it ("0" for success) */
  errorCode: string;
  failureReason: string | null;
  /** authentication methods of the steps that succeeded, as the log names them ("FIDO2 security key") */
  methods: string[];
  ip: string | null;
  location: string | null;
  app: string | null;
  interactive: boolean | null;
  /** applied Conditional Access policies (result success or failure); the CSV download has none */
  policies: Array<{ name: string; result: string }>;
  /** the CSV's "Conditional Access" column, or the Graph/LA status */
  conditionalAccess: string | null;
  explainedBy: { kind: AccessWindow["kind"]; id: string } | null;
}

export interface ScanNote {
  file: string;
  record?: number;
  message: string;
}

export interface ScanSummary {
  files: Array<{ file: string; format: LogFormat | null; records: number }>;
  signIns: number;
  unexplainedSuccesses: number;
  unexplainedFailures: number;
  notes: ScanNote[];
}

type Loose = Record<string, unknown>;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Streams every emergency-account sign-in of `files` to `onSignIn`, in file order. */
export async function scanLogs(
  files: readonly string[],
  options: ScanOptions,
  onSignIn: (s: ScannedSignIn) => void,
): Promise<ScanSummary> {
  const wanted = new Set(options.accounts.map((a) => a.toLowerCase()));
  const searcher = lineSearch(options.accounts);
  const summary: ScanSummary = {
    files: [],
    signIns: 0,
    unexplainedSuccesses: 0,
    unexplainedFailures: 0,
    notes: [],
  };
  for (const file of files) {
    const entry = { file, format: null as LogFormat | null, records: 0 };
    summary.files.push(entry);
    const note = (message: string, record?: number) =>
      summary.notes.push({ file, message, ...(record !== undefined ? { record } : {}) });
    const take = (raw: Loose, record: number, format: LogFormat) => {
      const s = normalize(raw, file, record, format, options, wanted);
      if (s === "no-time") return note("the record has no readable time; left out", record);
      if (!s) return;
      summary.signIns++;
      if (!s.explainedBy && s.result === "success") summary.unexplainedSuccesses++;
      if (!s.explainedBy && s.result === "failure") summary.unexplainedFailures++;
      onSignIn(s);
    };
    const { format, chunks } = await openLog(file);
    entry.format = format;
    if (format === "jsonl") entry.records = await scanJsonl(chunks, searcher, take, note);
    else if (format === "csv") entry.records = await scanCsv(chunks, take, note);
    else entry.records = await scanJson(chunks, format, take, note);
  }
  return summary;
}

/** The file's text chunks (gunzipped when gzip) and its format, from the first bytes of content. */
async function openLog(file: string): Promise<{ format: LogFormat; chunks: AsyncIterable<Buffer> }> {
  const fh = await open(file, "r");
  const head = Buffer.alloc(4096);
  let headLength: number;
  try {
    headLength = (await fh.read(head, 0, head.length, 0)).bytesRead;
  } finally {
    await fh.close();
  }
  const gzip = headLength >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  if (!gzip) {
    const format = detectFormat(head.subarray(0, headLength));
    // JSONL, the large case, reads into one reused buffer: its scan copies what it keeps
    return {
      format,
      chunks: format === "jsonl" ? reusedChunks(file) : createReadStream(file, { highWaterMark: 1 << 20 }),
    };
  }
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  raw.on("error", (err) => gunzip.destroy(err));
  const it = raw.pipe(gunzip)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  const chunks = (async function* () {
    if (!first.done) yield first.value;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  })();
  return { format: detectFormat(first.done ? Buffer.alloc(0) : first.value), chunks };
}

/** The file in 4 MB reads into one buffer: each chunk is valid only until the next is asked for. */
async function* reusedChunks(file: string): AsyncGenerator<Buffer> {
  const fh = await open(file, "r");
  const buf = Buffer.allocUnsafe(4 << 20);
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

export function detectFormat(head: Buffer): LogFormat {
  const text = head
    .subarray(0, 4096)
    .toString("utf8")
    .replace(/^\ufeff/, "")
    .trimStart();
  if (text.startsWith("[")) return "json-array";
  if (text.startsWith("{"))
    return /^\{\s*"(value|@odata\.[A-Za-z]+)"\s*:/.test(text) ? "graph-json" : "jsonl";
  return "csv";
}

type Take = (raw: Loose, record: number, format: LogFormat) => void;
type Note = (message: string, record?: number) => void;

/**
 * JSONL: each chunk is searched as latin1 (one character a byte, so offsets are byte offsets) for
 * the accounts; only a line holding a hit is cut out, decoded as UTF-8 and parsed. Chunks are never
 * joined: the one line that straddles two chunks is put together on its own.
 */
async function scanJsonl(
  chunks: AsyncIterable<Buffer>,
  searcher: LineSearch,
  take: Take,
  note: Note,
): Promise<number> {
  let carry: Buffer | undefined;
  let line = 0;
  const parseLine = (bytes: Buffer, n: number, last: boolean) => {
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString("utf8"));
    } catch {
      note(last ? "the last line is torn (not JSON); left out" : "the line is not JSON; left out", n);
      return;
    }
    if (value && typeof value === "object" && !Array.isArray(value)) take(value as Loose, n, "jsonl");
    else note("the line is not a JSON object; left out", n);
  };
  const names = (bytes: Buffer) => searcher.hit(bytes);
  for await (const chunk of chunks) {
    const firstNl = chunk.indexOf(10);
    if (firstNl < 0) {
      // a line longer than a chunk: rare, kept whole until it ends
      carry = carry ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
      continue;
    }
    let from = 0;
    if (carry) {
      const straddling = Buffer.concat([carry, chunk.subarray(0, firstNl)]);
      line++;
      if (names(straddling)) parseLine(straddling, line, false);
      carry = undefined;
      from = firstNl + 1;
    }
    const end = chunk.lastIndexOf(10) + 1;
    if (end > from) {
      line = searcher.lines(chunk, from, end, line, (start, stop, n) =>
        parseLine(chunk.subarray(start, stop), n, false),
      );
    }
    if (end < chunk.length) carry = Buffer.from(chunk.subarray(end));
  }
  if (carry && carry.toString("utf8").trim() !== "") {
    line++;
    if (names(carry)) parseLine(carry, line, true);
  }
  return line;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Finds the lines of a chunk that name an account: `lines` calls `hit` per line and returns the line count. */
interface LineSearch {
  /** lines of `buf[from, end)` (which ends on a newline) naming an account; returns `line` plus the lines passed */
  lines(
    buf: Buffer,
    from: number,
    end: number,
    line: number,
    found: (start: number, stop: number, n: number) => void,
  ): number;
  /** whether these bytes name an account */
  hit(bytes: Buffer): boolean;
}

/**
 * Object ids only: a byte search (Buffer.indexOf) for each id in lower and upper case, which is how
 * Entra and Log Analytics write GUIDs; nothing is decoded. With a UPN among the accounts, a UPN's
 * case in a log may differ from the config's in any letter, so each chunk is decoded as latin1 and
 * searched with a case-insensitive expression instead: exact, and several times slower.
 */
export function lineSearch(accounts: readonly string[]): LineSearch {
  if (accounts.length === 0) throw new Error("no account to search for");
  if (accounts.every((a) => GUID.test(a))) {
    const variants = [...new Set(accounts.flatMap((a) => [a, a.toLowerCase(), a.toUpperCase()]))].map((v) =>
      Buffer.from(v, "latin1"),
    );
    return {
      hit: (bytes) => variants.some((v) => bytes.indexOf(v) >= 0),
      lines(buf, from, end, line, found) {
        const starts: number[] = [];
        for (const v of variants)
          for (let i = buf.indexOf(v, from); i >= 0 && i < end; i = buf.indexOf(v, i + v.length))
            starts.push(i);
        starts.sort((a, b) => a - b);
        let counted = from;
        let lastLine = -1;
        for (const at of starts) {
          const start = buf.lastIndexOf(10, at) + 1;
          if (start === lastLine) continue;
          lastLine = Math.max(start, from);
          line += countNewlinesIn(buf, counted, lastLine);
          counted = lastLine;
          found(lastLine, buf.indexOf(10, at), line + 1);
        }
        return line + countNewlinesIn(buf, counted, end);
      },
    };
  }
  const needle = new RegExp(accounts.map(escapeRegExp).join("|"), "gi");
  return {
    hit(bytes) {
      needle.lastIndex = 0;
      return needle.test(bytes.toString("latin1"));
    },
    lines(buf, from, end, line, found) {
      const text = buf.toString("latin1", from, end);
      let counted = 0;
      needle.lastIndex = 0;
      for (let m = needle.exec(text); m; m = needle.exec(text)) {
        const start = text.lastIndexOf("\n", m.index) + 1;
        const stop = text.indexOf("\n", m.index);
        line += countNewlines(text, counted, start);
        counted = start;
        found(from + start, from + stop, line + 1);
        needle.lastIndex = stop + 1;
      }
      return line + countNewlines(text, counted, text.length);
    },
  };
}

function countNewlinesIn(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(10, from); i >= 0 && i < to; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

async function scanCsv(chunks: AsyncIterable<Buffer>, take: Take, note: Note): Promise<number> {
  // loaded when needed: a JSONL scan starts without the parsers it does not use
  const { parse: parseCsv } = await import("csv-parse");
  const csv = Readable.from(chunks).pipe(
    parseCsv({ bom: true, columns: true, relax_column_count: true, skip_empty_lines: true, info: true }),
  );
  let records = 0;
  try {
    for await (const { record, info } of csv as AsyncIterable<{ record: Loose; info: { lines: number } }>) {
      records++;
      take(record, info.lines, "csv");
    }
  } catch (err) {
    note(`the CSV ends in a broken record (${(err as Error).message}); what came before it is read`);
  }
  return records;
}

async function scanJson(
  chunks: AsyncIterable<Buffer>,
  format: "graph-json" | "json-array",
  take: Take,
  note: Note,
): Promise<number> {
  const [{ default: chain }, { parser: jsonParser }, { pick }, { streamValues }] = await Promise.all([
    import("stream-chain"),
    import("stream-json"),
    import("stream-json/filters/pick.js"),
    import("stream-json/streamers/stream-values.js"),
  ]);
  // every element of a top-level array or of a page's "value", pages one after another included
  const pipeline = chain([
    Readable.from(chunks),
    jsonParser({ jsonStreaming: true }),
    pick({ filter: format === "graph-json" ? /^value\.\d+$/ : /^\d+$/ }),
    streamValues(),
  ]);
  let records = 0;
  try {
    for await (const item of pipeline as AsyncIterable<{ value: unknown }>) {
      records++;
      if (item.value && typeof item.value === "object" && !Array.isArray(item.value))
        take(item.value as Loose, records, format);
      else note("the record is not a JSON object; left out", records);
    }
  } catch (err) {
    note(
      `the JSON is cut short or broken after record ${records} (${(err as Error).message}); what came before it is read`,
    );
  }
  return records;
}

// ------------------------------------------------------------------------------ one record

const str = (v: unknown): string | null =>
  v === undefined || v === null || v === "" ? null : typeof v === "string" ? v : JSON.stringify(v);

/** A nested column that Log Analytics exports as dynamic, or as a JSON string. */
function dynamic(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (!t.startsWith("{") && !t.startsWith("[")) return v;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return v;
  }
}

const first = (o: Loose, keys: string[]): unknown => {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null && o[k] !== "") return o[k];
  return undefined;
};

function locationOf(v: unknown): string | null {
  const l = dynamic(v);
  if (l && typeof l === "object" && !Array.isArray(l)) {
    const o = l as Loose;
    const parts = [o.city, o.state, o.countryOrRegion].filter((x) => typeof x === "string" && x !== "");
    return parts.length ? parts.join(", ") : null;
  }
  return str(l);
}

function methodsOf(o: Loose): string[] {
  const details = dynamic(first(o, ["authenticationDetails", "AuthenticationDetails"]));
  const out = new Set<string>();
  if (Array.isArray(details)) {
    for (const d of details as Loose[]) {
      const m = str(d?.authenticationMethod);
      if (m && d.succeeded !== false && m !== "Previously satisfied") out.add(m);
    }
  }
  if (out.size === 0) {
    const used = dynamic(first(o, ["authenticationMethodsUsed", "AuthenticationMethodsUsed"]));
    if (Array.isArray(used)) for (const m of used) if (typeof m === "string" && m) out.add(m);
  }
  const csvMethod = str(o["Multifactor authentication auth method"]);
  if (csvMethod) out.add(csvMethod);
  return [...out];
}

function policiesOf(o: Loose): Array<{ name: string; result: string }> {
  const raw = dynamic(first(o, ["appliedConditionalAccessPolicies", "ConditionalAccessPolicies"]));
  if (!Array.isArray(raw)) return [];
  return (raw as Loose[])
    .filter((p) => p && (p.result === "success" || p.result === "failure"))
    .map((p) => ({ name: str(p.displayName) ?? str(p.id) ?? "(unnamed)", result: String(p.result) }));
}

function normalize(
  o: Loose,
  file: string,
  record: number,
  format: LogFormat,
  options: ScanOptions,
  wanted: ReadonlySet<string>,
): ScannedSignIn | "no-time" | undefined {
  const userId = str(first(o, ["userId", "UserId", "User ID"]));
  const upn = str(first(o, ["userPrincipalName", "UserPrincipalName", "Username", "User principal name"]));
  if (!(userId && wanted.has(userId.toLowerCase())) && !(upn && wanted.has(upn.toLowerCase())))
    return undefined;
  const rawTime = str(
    first(o, ["createdDateTime", "TimeGenerated", "CreatedDateTime", "Date (UTC)", "Date"]),
  );
  let t = rawTime === null ? Number.NaN : Date.parse(rawTime);
  // the portal's CSV dates carry no zone but are UTC ("Date (UTC)")
  if (rawTime !== null && Number.isNaN(t)) t = Date.parse(`${rawTime}Z`);
  if (Number.isNaN(t)) return "no-time";
  if (options.from !== undefined && t < options.from) return undefined;
  if (options.to !== undefined && t > options.to) return undefined;

  const status = dynamic(first(o, ["status", "Status"]));
  let errorCode = str(first(o, ["ResultType", "Sign-in error code"]));
  if (errorCode === null && status && typeof status === "object")
    errorCode = str((status as Loose).errorCode);
  const csvStatus = typeof status === "string" ? status : null;
  if (errorCode === null && csvStatus) errorCode = /^success$/i.test(csvStatus) ? "0" : "unknown";
  errorCode ??= "unknown";
  const failureReason =
    errorCode === "0"
      ? null
      : (str(first(o, ["ResultDescription", "Failure reason"])) ??
        (status && typeof status === "object" ? str((status as Loose).failureReason) : null));
  const interactiveRaw = first(o, ["isInteractive", "IsInteractive"]);
  const type = str(o.Type);
  const interactive =
    typeof interactiveRaw === "boolean"
      ? interactiveRaw
      : type === "SigninLogs"
        ? true
        : type === "AADNonInteractiveUserSignInLogs"
          ? false
          : null;
  const window = windowExplaining(options.windows, { id: userId, userPrincipalName: upn }, t);
  return {
    file,
    format,
    record,
    time: new Date(t).toISOString(),
    userId,
    userPrincipalName: upn,
    result: errorCode === "0" ? "success" : "failure",
    errorCode,
    failureReason,
    methods: methodsOf(o),
    ip: str(first(o, ["ipAddress", "IPAddress", "IP address"])),
    location: locationOf(first(o, ["location", "LocationDetails", "Location"])),
    app: str(first(o, ["appDisplayName", "AppDisplayName", "Application"])),
    interactive,
    policies: policiesOf(o),
    conditionalAccess: str(
      first(o, ["conditionalAccessStatus", "ConditionalAccessStatus", "Conditional Access"]),
    ),
    explainedBy: window ? { kind: window.kind, id: window.id } : null,
  };
}
