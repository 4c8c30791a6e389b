/**
 * `export`: collect a full snapshot (docs/snapshot.md) through Graph and ARM.
 *
 * Reads are planned in waves by dependency, and each read starts as soon as what it depends on is
 * in, so the round-trip depth stays small (bench/README.md):
 *   1. every top-level Graph section; ARM subscriptions and diagnostic settings;
 *   2. next pages; members and owners of every group and AU; PIM for groups; each subscription's
 *      ARM lists;
 *   3. each workspace's tables and Sentinel content;
 *   4. once the relationship subjects are known (src/collect/subjects.ts), what the checks need of
 *      each (docs/reads.md): methods, MFA state, owned objects, sign-ins and audits of whoever may
 *      be an emergency account, the methods alone of the other privileged users.
 * The Graph client paces each throttle family and batches reads by family, so every section
 * resolves when its own answer arrives and one family's waiting never holds another's reads.
 *
 * Every read that still fails after the retry budget is recorded in `unavailable` with its reason;
 * a section is never written as empty because its read failed.
 */
import type { Config } from "../config/schema.js";
import { SNAPSHOT_SCHEMA, type Snapshot } from "../snapshot/schema.js";
import { methodKinds, rowRulesOut, type TieKind } from "../snapshot/registration.js";
import {
  GRAPH_SCOPE,
  ARM_SCOPE,
  ReadError,
  grantedPermissions,
  type Clients,
  type GraphApi,
  type GraphBody,
  type GraphVersion,
  type TrackerSummary,
} from "../graph/index.js";
import { collectAzure, type AzureCollection } from "./azure.js";
import { forbiddenReason, tablePath } from "./permissions.js";
import {
  AU_RELATIONSHIPS,
  GROUP_RELATIONSHIPS,
  PIM_GROUP_SECTIONS,
  REGISTRATION_REPORT,
  SIGN_IN_ACTIVITY_PAGE,
  TOP_LEVEL_READS,
  USER_RELATIONSHIPS,
  pimGroupReads,
  signInActivityReads,
  auditReads,
  signInReads,
  type RelationshipRead,
  type SectionRead,
} from "./reads.js";
import { relationshipSubjects, type RelationshipSubjects } from "./subjects.js";

export interface ExportOptions {
  clients: Clients;
  config?: Partial<Pick<Config, "accounts" | "group" | "azure">>;
  /** called as reads complete (progress display). */
  onProgress?: (event: ProgressEvent) => void;
  now?: () => Date;
}

export interface ProgressEvent {
  done: string;
  requests: number;
  depth: number;
  /** Graph reads answered so far, of those known so far (the subjects' reads join once known). */
  reads: { done: number; total: number };
  /** the time the pacing predicts for the reads still waiting, in ms */
  remainingMs: number;
}

export interface ExportResult {
  snapshot: Snapshot;
  subjects: string[];
  requests: TrackerSummary;
  /** ReadWrite permissions the Graph token carries (a read-only command warns about them). */
  writePermissions: string[];
}

/** A Graph object as it arrives: untyped JSON, kept as is (docs/snapshot.md). */
type GraphObject = Record<string, unknown>;

type Outcome<T> = { ok: true; value: T } | { ok: false; error: ReadError };
interface Page {
  items: GraphObject[];
  nextLink?: string;
}

/** The snapshot while it is read: sections by path, filled as reads complete. */
type Draft = Record<string, unknown>;

/** Sections whose content decides the relationship subjects. */
const SUBJECT_INPUTS = [
  "users",
  "groups",
  "groups.members",
  "roleDefinitions",
  "roleAssignments",
  "roleAssignmentSchedules",
  "roleEligibilitySchedules",
  "privilegedAccessGroupAssignmentSchedules",
  "privilegedAccessGroupEligibilitySchedules",
  "conditionalAccessPolicies",
  "azure.scheduledQueryRules",
  "azure.sentinelAlertRules",
];

const isObject = (v: unknown): v is GraphObject => !!v && typeof v === "object" && !Array.isArray(v);

/** The items of a collection page (an empty list when the body has none). */
function pageOf(body: GraphBody): Page {
  if (!isObject(body)) return { items: [] };
  const items = Array.isArray(body.value) ? body.value.filter(isObject) : [];
  const next = body["@odata.nextLink"];
  return typeof next === "string" ? { items, nextLink: next } : { items };
}

/** @odata.context/@odata.nextLink describe the response, not the object; @odata.type is kept. */
function stripContext(body: GraphBody): GraphObject {
  const out: GraphObject = {};
  if (isObject(body))
    for (const [k, v] of Object.entries(body))
      if (k !== "@odata.context" && k !== "@odata.nextLink") out[k] = v;
  return out;
}

/** A list section of the draft (undefined when it was not read). */
function listOf(draft: Draft, path: string): GraphObject[] | undefined {
  const value = draft[path];
  return Array.isArray(value) ? (value as GraphObject[]) : undefined;
}

const idOf = (o: GraphObject) => String(o.id);

class Collector {
  readonly unavailable: Record<string, string> = {};
  granted: string[] = [];
  private started = 0;
  private answered = 0;

  constructor(
    readonly graph: GraphApi,
    private readonly progress: (done: string, reads: { done: number; total: number }) => void,
  ) {}

  reason(path: string, error: ReadError): string {
    if (error.status === 403) {
      const serviceMessage = error.message.replace(/^403 Forbidden: /, "");
      return forbiddenReason(path, this.granted, serviceMessage);
    }
    return error.message;
  }

  fail(path: string, error: ReadError | string): void {
    this.unavailable[path] ??= typeof error === "string" ? error : this.reason(path, error);
  }

  /** An ARM read finished: shown with the Graph counts. */
  note(path: string): void {
    this.progress(path, { done: this.answered, total: this.started });
  }

  /** One read through the client's batcher, counted for the progress display. */
  private async read(path: string, version: GraphVersion, url: string, headers?: Record<string, string>) {
    this.started++;
    const result = await this.graph.read({ id: String(this.started), url, headers }, version);
    this.answered++;
    this.progress(path, { done: this.answered, total: this.started });
    return result;
  }

  /** Follow @odata.nextLink from a first page to the end. */
  async pages(first: Page, version: GraphVersion): Promise<Outcome<GraphObject[]>> {
    const items = [...first.items];
    let next = first.nextLink;
    while (next) {
      const r = await this.graph.get(next, version);
      if (!r.ok) return r;
      const page = pageOf(r.body);
      items.push(...page.items);
      next = page.nextLink;
    }
    return { ok: true, value: items };
  }

  /** A collection, every page. */
  async list(read: SectionRead): Promise<Outcome<GraphObject[]>> {
    const r = await this.read(read.path, read.version, read.url, read.headers);
    return r.ok ? this.pages(pageOf(r.body), read.version) : r;
  }

  /** A collection's first page and its nextLink: the caller decides how to read the rest. */
  async firstPage(read: SectionRead): Promise<Outcome<Page>> {
    const r = await this.read(read.path, read.version, read.url, read.headers);
    return r.ok ? { ok: true, value: pageOf(r.body) } : r;
  }

  /** A singleton (a policy). */
  async entity(read: SectionRead): Promise<Outcome<GraphObject>> {
    const r = await this.read(read.path, read.version, read.url, read.headers);
    return r.ok ? { ok: true, value: stripContext(r.body) } : r;
  }

  /** Several reads into one list; the first failure makes the whole path unavailable. */
  async collectInto(path: string, reads: SectionRead[], into: GraphObject[]): Promise<void> {
    await Promise.all(
      reads.map(async (read) => {
        const r = await this.list(read);
        if (!r.ok) this.fail(path, r.error);
        else into.push(...r.value);
      }),
    );
  }

  /** Read one relationship of many objects; failures are per object, or one key when all 403. */
  async relationships(read: RelationshipRead, objects: GraphObject[]): Promise<void> {
    if (!objects.length) return;
    const failures: Array<[GraphObject, ReadError]> = [];
    await Promise.all(
      objects.map(async (o) => {
        const request: SectionRead = { path: read.path, version: read.version, url: read.url(idOf(o)) };
        if (read.pick) {
          const r = await this.entity(request);
          if (r.ok) o[read.property] = read.pick(r.value);
          else failures.push([o, r.error]);
        } else {
          const r = await this.list(request);
          if (r.ok) o[read.property] = r.value;
          else failures.push([o, r.error]);
        }
      }),
    );
    if (!failures.length) return;
    // A permission the token lacks fails every object alike: one entry for the relationship says it.
    if (failures.length === objects.length && failures.every(([, e]) => e.status === 403)) {
      this.fail(read.path, failures[0]![1]);
      return;
    }
    for (const [o, e] of failures) this.fail(`${read.section}[${idOf(o)}].${read.property}`, e);
  }
}

/** Wave 1: every top-level section, each stored as soon as its own answer (and pages) are in. */
function readTopLevel(c: Collector, draft: Draft, skip: ReadonlySet<string>): Map<string, Promise<void>> {
  const done = new Map<string, Promise<void>>();
  for (const read of TOP_LEVEL_READS.filter((r) => !skip.has(r.path))) {
    const stored = read.entity
      ? c.entity(read).then((r) => (r.ok ? void (draft[read.path] = r.value) : c.fail(read.path, r.error)))
      : c.list(read).then((r) => (r.ok ? void (draft[read.path] = r.value) : c.fail(read.path, r.error)));
    done.set(read.path, stored);
  }
  return done;
}

/** Wave 2: members and owners of every group and AU, once the groups / AUs are listed. */
async function readMembership(
  c: Collector,
  draft: Draft,
  section: "groups" | "administrativeUnits",
  listed: Promise<void>,
): Promise<void> {
  await listed;
  const reads = section === "groups" ? GROUP_RELATIONSHIPS : AU_RELATIONSHIPS;
  await Promise.all(reads.map((r) => c.relationships(r, listOf(draft, section) ?? [])));
}

/** PIM for groups: read per group, once the groups are listed (Graph requires the groupId filter). */
async function readPimGroups(c: Collector, draft: Draft, groupsListed: Promise<void>): Promise<void> {
  await groupsListed;
  await Promise.all(
    PIM_GROUP_SECTIONS.map(async ({ path }) => {
      const groups = listOf(draft, "groups");
      if (!groups) return c.fail(path, `not read: groups unavailable (${c.unavailable.groups})`);
      const items: GraphObject[] = [];
      await c.collectInto(path, pimGroupReads(path, groups.map(idOf)), items);
      if (!c.unavailable[path]) draft[path] = items;
    }),
  );
}

/**
 * signInActivity joins the users when both are in; its failure leaves the users intact. Its pages
 * hold 120 users: a few more pages are followed; for a larger tenant the rest is read by id, 15 per
 * request, all in parallel, so the depth does not grow with the tenant.
 */
async function readSignInActivity(c: Collector, draft: Draft, usersListed: Promise<void>): Promise<void> {
  const path = "users.signInActivity";
  const [first] = await Promise.all([
    c.firstPage(TOP_LEVEL_READS.find((r) => r.path === path)!),
    usersListed,
  ]);
  if (!first.ok) return c.fail(path, first.error);
  const items = [...first.value.items];
  const users = listOf(draft, "users");
  if (first.value.nextLink && users) {
    const seen = new Set(items.map((u) => idOf(u).toLowerCase()));
    const rest = users.map(idOf).filter((id) => !seen.has(id.toLowerCase()));
    if (rest.length <= 3 * SIGN_IN_ACTIVITY_PAGE) {
      const r = await c.pages({ items: [], nextLink: first.value.nextLink }, "v1.0");
      if (!r.ok) return c.fail(path, r.error);
      items.push(...r.value);
    } else {
      await c.collectInto(path, signInActivityReads(rest), items);
      if (c.unavailable[path]) return;
    }
  }
  const byId = new Map(items.map((u) => [idOf(u).toLowerCase(), u]));
  for (const u of users ?? []) {
    const hit = byId.get(idOf(u).toLowerCase());
    if (hit && "signInActivity" in hit) u.signInActivity = hit.signInActivity;
  }
}

/** What wave 4 gathers into the two log sections, and the CA-change audits of wave 1. */
interface Logs {
  signIns: GraphObject[];
  directoryAudits: GraphObject[];
}

/**
 * The registration report's rows by lower-cased user id, read once and only when there are everyday
 * admins to pre-filter; undefined when it could not be read (then every admin's methods are read, as
 * without the report) or would cost more pages than the admins it could spare.
 */
type RegistrationRows = Map<string, GraphObject> | undefined;

async function readRegistration(c: Collector, admins: number): Promise<RegistrationRows> {
  const first = await c.firstPage(REGISTRATION_REPORT);
  if (!first.ok) {
    c.fail(REGISTRATION_REPORT.path, first.error);
    return undefined;
  }
  const items = [...first.value.items];
  let next = first.value.nextLink;
  // Each further page is one reports read, like one admin's methods: past `admins` pages the report
  // can no longer spare a read (a tenant with very many users and few admins).
  for (let pages = 1; next; pages++) {
    if (pages >= admins) return undefined;
    const r = await c.graph.get(next, REGISTRATION_REPORT.version);
    if (!r.ok) {
      c.fail(REGISTRATION_REPORT.path, r.error);
      return undefined;
    }
    const page = pageOf(r.body);
    items.push(...page.items);
    next = page.nextLink;
  }
  return new Map(items.map((row) => [idOf(row).toLowerCase(), row]));
}

/** What the accounts' methods could share with an admin; undefined when one account's methods are missing. */
function kindsOf(accounts: readonly GraphObject[]): Set<TieKind> | undefined {
  const out = new Set<TieKind>();
  for (const a of accounts) {
    if (!Array.isArray(a.authenticationMethods)) return undefined;
    for (const k of methodKinds(a.authenticationMethods as GraphObject[])) out.add(k);
  }
  return out;
}

/** The everyday admins' side of wave 4: each export's report rows and whose methods it skipped. */
interface AdminReads {
  registration: () => Promise<RegistrationRows>;
  /** rows of the admins whose methods were not read, by lower-cased id */
  ruledOut: Map<string, GraphObject>;
}

const METHODS_READ = USER_RELATIONSHIPS.find((r) => r.property === "authenticationMethods")!;

/**
 * Methods of the everyday admins whose registration row shows a kind the accounts hold (or who have
 * no such row): the others cannot share a method with the accounts (EA-AUTH-04), so their row is
 * kept instead (docs/reads.md).
 */
async function readAdmins(
  c: Collector,
  admins: GraphObject[],
  accounts: () => GraphObject[],
  accountsRead: Promise<void>,
  reads: AdminReads,
): Promise<void> {
  if (!admins.length) return;
  const [rows] = await Promise.all([reads.registration(), accountsRead]);
  const kinds = rows && kindsOf(accounts());
  const toRead: GraphObject[] = [];
  for (const admin of admins) {
    const row = rows?.get(idOf(admin).toLowerCase());
    if (kinds && rowRulesOut(row, kinds)) reads.ruledOut.set(idOf(admin).toLowerCase(), row!);
    else toRead.push(admin);
  }
  await c.relationships(METHODS_READ, toRead);
}

/** Wave 4 for some users: everything of whoever may be an emergency account, methods of the rest. */
async function readSubjects(
  c: Collector,
  draft: Draft,
  subjects: Pick<RelationshipSubjects, "full" | "methodsOnly">,
  logs: Logs,
  reads: AdminReads,
  accounts: () => GraphObject[],
): Promise<void> {
  const wanted = (ids: readonly string[]) => {
    const set = new Set(ids);
    return (listOf(draft, "users") ?? []).filter((u) => set.has(idOf(u).toLowerCase()));
  };
  const full = wanted(subjects.full);
  const fullIds = full.map(idOf);
  const accountsRead = c.relationships(METHODS_READ, full);
  await Promise.all([
    accountsRead,
    ...USER_RELATIONSHIPS.filter((r) => r !== METHODS_READ).map((r) => c.relationships(r, full)),
    readAdmins(c, wanted(subjects.methodsOnly), accounts, accountsRead, reads),
    c.collectInto("signIns", signInReads(fullIds), logs.signIns),
    c.collectInto("directoryAudits", auditReads(fullIds), logs.directoryAudits),
  ]);
}

/**
 * Admins skipped early whose row no longer rules them out, now that every account's methods are in
 * (an account found late, or one whose methods could not be read): their methods are read after all.
 */
async function recheckAdmins(
  c: Collector,
  draft: Draft,
  accounts: GraphObject[],
  reads: AdminReads,
): Promise<void> {
  if (!reads.ruledOut.size) return;
  const kinds = kindsOf(accounts);
  const users = listOf(draft, "users") ?? [];
  const again = users.filter((u) => {
    const row = reads.ruledOut.get(idOf(u).toLowerCase());
    return row && !(kinds && rowRulesOut(row, kinds));
  });
  for (const u of again) reads.ruledOut.delete(idOf(u).toLowerCase());
  await c.relationships(METHODS_READ, again);
}

/**
 * When a section that decides the subjects could not be read, the subject list may miss someone:
 * their relationships are unknown, not empty.
 */
function markIncomplete(c: Collector, azure: AzureCollection): void {
  const failed = { ...c.unavailable, ...azure.unavailable };
  const incomplete = SUBJECT_INPUTS.filter((k) => Object.keys(failed).some((u) => tablePath(u) === k));
  if (!incomplete.length) return;
  const causes = incomplete.map((k) => {
    const key = Object.keys(failed).find((u) => tablePath(u) === k)!;
    return `${k} unavailable (${failed[key]})`;
  });
  const why = `not read for every subject: ${causes.join("; ")}`;
  for (const key of [...USER_RELATIONSHIPS.map((r) => r.path), "signIns", "directoryAudits"])
    c.fail(key, why);
}

/** The tenant id and name come from the organization object (else the token's tenant). */
function tenantOf(draft: Draft, token: string | undefined, capturedAt: string): Snapshot["tenant"] {
  const org = listOf(draft, "organization")?.[0];
  const id = typeof org?.id === "string" ? org.id : tenantOfToken(token);
  return {
    id,
    ...(typeof org?.displayName === "string" ? { displayName: org.displayName } : {}),
    capturedAt,
  };
}

export async function exportTenant(options: ExportOptions): Promise<ExportResult> {
  const { clients } = options;
  const now = options.now ?? (() => new Date());
  const c = new Collector(clients.graph, (done, reads) => {
    const s = clients.tracker.summary();
    options.onProgress?.({
      done,
      requests: s.requests,
      depth: s.maxDepth,
      reads,
      remainingMs: clients.graph.predictedWaitMs(),
    });
  });

  // Both tokens first, in parallel, so neither adds a round trip later. A failure here means the
  // tenant cannot be read at all: it propagates.
  const [graphToken] = await Promise.all([
    clients.credential.getToken(GRAPH_SCOPE),
    // An ARM token failure is not fatal: the ARM reads then record it as unavailable.
    // enableCae as core-rest-pipeline's bearer policy asks: @azure/identity keeps CAE and non-CAE
    // tokens in separate caches, and a mismatch would cost a second token round trip later.
    clients.armCredential.getToken(ARM_SCOPE, { enableCae: true }).catch(() => null),
  ]);
  c.granted = graphToken ? grantedPermissions(graphToken.token) : [];
  const writePermissions = c.granted.filter((p) => /ReadWrite/i.test(p)).sort();
  const capturedAt = now().toISOString();
  const draft: Draft = {};

  // Wave 1 (+ pages): every top-level section; ARM runs alongside and fills draft.azure in place.
  const azure = collectAzure(clients.arm, (path) => c.note(path), options.config?.azure?.subscriptionIds);
  draft.azure = azure.azure;
  const logs: Logs = { signIns: [], directoryAudits: [] };
  const done = readTopLevel(c, draft, new Set(["users.signInActivity", "directoryAudits"]));
  // Changes to Conditional Access policies, whoever made them.
  const caAudits = c.list(TOP_LEVEL_READS.find((r) => r.path === "directoryAudits")!).then((r) => {
    if (!r.ok) c.fail("directoryAudits", r.error);
    else logs.directoryAudits.push(...r.value);
  });

  // Wave 2.
  const groupRelations = readMembership(c, draft, "groups", done.get("groups")!);
  const auRelations = readMembership(c, draft, "administrativeUnits", done.get("administrativeUnits")!);
  const pimGroups = readPimGroups(c, draft, done.get("groups")!);
  const signInActivity = readSignInActivity(c, draft, done.get("users")!);

  // Wave 4: most subjects follow from Graph alone (accounts, group, privileged users, CA
  // exclusions): their reads start as soon as the Graph inputs are in, without waiting for the
  // Azure alert rules three ARM round trips away. Users named only in an alert query are read once
  // the rules are in (usually none are new).
  const subjectInput = { accounts: options.config?.accounts, group: options.config?.group };
  const subjectsOf = (withAzure: boolean) =>
    listOf(draft, "users")
      ? relationshipSubjects(
          (withAzure ? draft : { ...draft, azure: {} }) as unknown as Snapshot,
          subjectInput,
        )
      : { full: [] as string[], methodsOnly: [] as string[] };
  await Promise.all([
    ...SUBJECT_INPUTS.filter((k) => done.has(k)).map((k) => done.get(k)),
    groupRelations,
    pimGroups,
  ]);
  const early = subjectsOf(false);
  let registration: Promise<RegistrationRows> | undefined;
  const adminReads: AdminReads = {
    registration: () => (registration ??= readRegistration(c, early.methodsOnly.length)),
    ruledOut: new Map(),
  };
  const fullUsers = (ids: readonly string[]) => {
    const set = new Set(ids);
    return (listOf(draft, "users") ?? []).filter((u) => set.has(idOf(u).toLowerCase()));
  };
  const earlyReads = readSubjects(c, draft, early, logs, adminReads, () => fullUsers(early.full));
  await azure.rules;
  const all = subjectsOf(true);
  const late = {
    full: all.full.filter((id) => !early.full.includes(id)),
    methodsOnly: all.methodsOnly.filter((id) => !early.full.includes(id) && !early.methodsOnly.includes(id)),
  };
  // Decided before the late reads, which may add failures of their own.
  const lateReads = readSubjects(c, draft, late, logs, adminReads, () => fullUsers(all.full));

  await Promise.all([
    Promise.all([earlyReads, lateReads]).then(() => recheckAdmins(c, draft, fullUsers(all.full), adminReads)),
    caAudits,
    signInActivity,
    auRelations,
    azure.done.then(() => Object.assign(c.unavailable, azure.unavailable)),
    ...done.values(),
  ]);
  if (!c.unavailable.signIns) draft.signIns = dedupe(logs.signIns).sort(newestFirst("createdDateTime"));
  if (!c.unavailable.directoryAudits)
    draft.directoryAudits = dedupe(logs.directoryAudits).sort(newestFirst("activityDateTime"));
  if (adminReads.ruledOut.size)
    draft.registrationDetails = [...adminReads.ruledOut.values()].sort((a, b) =>
      idOf(a).toLowerCase().localeCompare(idOf(b).toLowerCase()),
    );
  markIncomplete(c, azure);

  const snapshot = {
    schema: SNAPSHOT_SCHEMA,
    tenant: tenantOf(draft, graphToken?.token, capturedAt),
    ...draft,
    unavailable: c.unavailable,
  } as unknown as Snapshot;
  const subjects = [...all.full, ...all.methodsOnly].sort();
  return { snapshot, subjects, requests: clients.tracker.summary(), writePermissions };
}

function tenantOfToken(token: string | undefined): string {
  if (!token) return "";
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    const tid = isObject(payload) ? payload.tid : undefined;
    return typeof tid === "string" ? tid : "";
  } catch {
    return "";
  }
}

function dedupe(items: GraphObject[]): GraphObject[] {
  const seen = new Map<string, GraphObject>();
  for (const it of items) seen.set(idOf(it).toLowerCase(), it);
  return [...seen.values()];
}

const newestFirst = (prop: string) => (a: GraphObject, b: GraphObject) =>
  String(b[prop] ?? "").localeCompare(String(a[prop] ?? ""));
