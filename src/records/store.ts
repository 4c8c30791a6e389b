/**
 * The one store of Breakglass's records: the apply journal, custody, drills, real uses
 * (docs/architecture.md "Records"). Records live in files beside the configuration, so a team keeps
 * them in the private repository that holds the configuration and every checkout sees the same
 * history; the interface keeps another backend possible later.
 *
 * - A **stream** is an append-only sequence of JSON records (`journal/<plan id>`), one JSON Lines
 *   file under `.breakglass/`, appended and fsynced record by record (src/io/append-line.ts), so a
 *   run killed at any moment leaves every record it reported written.
 * - A **document** is a whole file a person also reads and edits (`custody.yaml`), replaced
 *   atomically (src/io/atomic-write.ts).
 * - A **lock** makes one run exclusive (two applies never run at once): a lock file made with link()
 *   (never seen half-written) holding the holder's pid, host and start time. A lock left by a process that no longer
 *   runs on this host (SIGKILL) is taken over; one held by a live process, or by another host, is
 *   refused with the holder named. It guards one checkout: runs from other clones of the
 *   configuration are not seen.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { constants as fs, mkdirSync } from "node:fs";
import { link, mkdir, open, readdir, readFile, unlink } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { RefusedError, UsageError } from "../errors.js";
import { appendLineDurably, completeLines } from "../io/append-line.js";
import { writeFileAtomically, writeNewFileAtomically } from "../io/atomic-write.js";

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  /** what holds it, e.g. "breakglass apply" */
  purpose: string;
}

export interface StoreLock {
  readonly holder: LockHolder;
  release(): Promise<void>;
}

export interface RecordStore {
  /** the directory the records are kept in (the configuration's) */
  readonly root: string;
  append(stream: string, record: unknown): Promise<void>;
  /** the records of a stream, oldest first; [] when it does not exist */
  read(stream: string): Promise<unknown[]>;
  /** the streams under a folder (`journal`), by name */
  streams(folder: string): Promise<string[]>;
  readDocument(name: string): Promise<string | undefined>;
  /** replaces a document whole (atomically) */
  writeDocument(name: string, text: string): Promise<void>;
  /** writes a new document; refuses (exit 2) when one of that name exists */
  createDocument(name: string, text: string): Promise<void>;
  /** the documents in a folder (`drills`), by name (`drills/<file>`), sorted; [] when it does not exist */
  documents(folder: string): Promise<string[]>;
  lock(name: string, purpose: string): Promise<StoreLock>;
}

/** The folder of streams and locks, beside the configuration. */
export const RECORDS_DIR = ".breakglass";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

function checkName(kind: string, name: string): void {
  if (!NAME.test(name) || name.split("/").some((p) => p === ".." || p === "."))
    throw new UsageError(`${kind} name ${JSON.stringify(name)} is not a relative path of plain names`);
}

export interface FileRecordStoreOptions {
  /** test seams: is this process alive, this host's name, the clock */
  isAlive?: (pid: number) => boolean;
  host?: string;
  now?: () => Date;
  pid?: number;
}

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by someone else
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** The embedded file backend: everything under `root` (the configuration's directory). */
export class FileRecordStore implements RecordStore {
  private readonly isAlive: (pid: number) => boolean;
  private readonly host: string;
  private readonly now: () => Date;
  private readonly pid: number;

  constructor(
    readonly root: string,
    options: FileRecordStoreOptions = {},
  ) {
    this.isAlive = options.isAlive ?? processAlive;
    this.host = options.host ?? hostname();
    this.now = options.now ?? (() => new Date());
    this.pid = options.pid ?? process.pid;
  }

  private streamPath(stream: string): string {
    checkName("record stream", stream);
    return join(this.root, RECORDS_DIR, `${stream}.jsonl`);
  }

  async append(stream: string, record: unknown): Promise<void> {
    const path = this.streamPath(stream);
    // synchronous, as the append itself is (src/io/append-line.ts)
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    await appendLineDurably(path, JSON.stringify(record));
  }

  async read(stream: string): Promise<unknown[]> {
    const path = this.streamPath(stream);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    return completeLines(text).map((line, i) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        throw new UsageError(
          `${relative(this.root, path)} line ${i + 1} is not JSON: the record stream was edited or damaged; restore it from version control`,
        );
      }
    });
  }

  async streams(folder: string): Promise<string[]> {
    checkName("record folder", folder);
    const dir = join(this.root, RECORDS_DIR, folder);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    return names
      .filter((n) => n.endsWith(".jsonl"))
      .map((n) => `${folder}/${n.slice(0, -".jsonl".length)}`)
      .sort();
  }

  async readDocument(name: string): Promise<string | undefined> {
    checkName("record document", name);
    try {
      return await readFile(join(this.root, ...name.split("/")), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  async writeDocument(name: string, text: string): Promise<void> {
    checkName("record document", name);
    const path = join(this.root, ...name.split("/"));
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFileAtomically(path, text);
  }

  async createDocument(name: string, text: string): Promise<void> {
    checkName("record document", name);
    const path = join(this.root, ...name.split("/"));
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeNewFileAtomically(path, text, { whenExists: "a record is written once; choose another id" });
  }

  async documents(folder: string): Promise<string[]> {
    checkName("record folder", folder);
    let names: string[];
    try {
      names = await readdir(join(this.root, ...folder.split("/")));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    // temporary files of the atomic writer start with a dot
    return names
      .filter((n) => !n.startsWith("."))
      .map((n) => `${folder}/${n}`)
      .sort();
  }

  async lock(name: string, purpose: string): Promise<StoreLock> {
    checkName("lock", name);
    const path = join(this.root, RECORDS_DIR, `${name}.lock`);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const holder: LockHolder = { pid: this.pid, host: this.host, since: this.now().toISOString(), purpose };
    // Two attempts: the second after taking over a lock whose holder is gone.
    for (let attempt = 0; attempt < 2; attempt++) {
      // Written whole to a private temporary file, then hard-linked to the lock's name: link()
      // fails if the lock exists, and a lock file is never seen half-written.
      const temporary = `${path}.${randomBytes(8).toString("hex")}.tmp`;
      const handle = await open(temporary, fs.O_WRONLY | fs.O_CREAT | fs.O_EXCL | fs.O_NOFOLLOW, 0o600);
      try {
        await handle.write(`${JSON.stringify(holder)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      let taken = false;
      try {
        await link(temporary, path);
        taken = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      } finally {
        await unlink(temporary).catch(() => undefined);
      }
      if (taken)
        return {
          holder,
          release: async () => {
            await unlink(path).catch((err: NodeJS.ErrnoException) => {
              if (err.code !== "ENOENT") throw err;
            });
          },
        };
      const current = await this.holderOf(path);
      if (current && (current.host !== this.host || this.isAlive(current.pid)))
        throw new RefusedError(
          `${relative(this.root, path).split(sep).join("/")} is held by ${current.purpose} (pid ${current.pid} on ${current.host} since ${current.since}): wait for it to finish; if that process is gone, remove the file`,
        );
      // The holder died (SIGKILL, power loss) or the file is unreadable garbage: take it over.
      await unlink(path).catch(() => undefined);
    }
    throw new RefusedError(`could not take the lock ${name}: another run took it first`);
  }

  private async holderOf(path: string): Promise<LockHolder | undefined> {
    try {
      const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<LockHolder>;
      if (typeof parsed.pid === "number" && typeof parsed.host === "string")
        return {
          pid: parsed.pid,
          host: parsed.host,
          since: String(parsed.since ?? "?"),
          purpose: String(parsed.purpose ?? "another run"),
        };
    } catch {
      /* torn or unreadable: treated as abandoned */
    }
    return undefined;
  }
}
