/**
 * `export`: collect a full snapshot (snapshot.md) through Graph and ARM.
 *
 * Reads are planned in waves by dependency, and each read starts as soon as what it depends on is
 * in, so the round-trip depth stays small (bench/README.md):
 *   1. every top-level Graph section, in `$batch`es of 20; ARM subscriptions and diagnostic settings;
 *   2. next pages; members and owners of every group and AU (batched); each subscription's ARM lists;
 *   3. each workspace's tables and Sentinel content;
 *   4. once the relationship subjects are known (emergency accounts, candidates, privileged users:
 *      src/collect/subjects.ts), their methods, MFA state, owned objects, sign-ins and audits.
 *
 * Every read that still fails after the retry budget is recorded in `unavailable` with its reason;
 * a section is never written as empty because its read failed.
 */
import type { Config } from "../config/schema.js";
import { SNAPSHOT_SCHEMA, type Snapshot } from "../snapshot/schema.js";
import {
  GRAPH_SCOPE,
  ARM_SCOPE,
  grantedPermissions,
  type Clients,
  type GraphApi,
  type ReadResult,
  type TrackerSummary,
} from "../graph/index.js";
import { ReadError } from "../graph/index.js";
import { collectAzure } from "./azure.js";
import { forbiddenReason, tablePath } from "./permissions.js";
import {
  AU_RELATIONSHIPS,
  GROUP_RELATIONSHIPS,
  PIM_GROUP_SECTIONS,
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
import { relationshipSubjects } from "./subjects.js";

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
}

export interface ExportResult {
  snapshot: Snapshot;
  subjects: string[];
  requests: TrackerSummary;
  /** ReadWrite permissions the Graph token carries (a read-only command warns about them). */
  writePermissions: string[];
}

type ListOutcome = { ok: true; items: any[]; nextLink?: string } | { ok: false; error: ReadError };
type EntityOutcome = { ok: true; body: any } | { ok: false; error: ReadError };

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

function stripContext(body: any): any {
  if (!body || typeof body !== "object") return body;
  const out: Record<string, unknown> = {};
  // @odata.context/@odata.nextLink describe the response, not the object; @odata.type is kept.
  for (const [k, v] of Object.entries(body))
    if (k !== "@odata.context" && k !== "@odata.nextLink") out[k] = v;
  return out;
}

class Collector {
  readonly unavailable: Record<string, string> = {};
  granted: string[] = [];

  constructor(
    readonly graph: GraphApi,
    private readonly progress: (done: string) => void,
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

  /** Follow @odata.nextLink from a first page to the end. */
  async pages(first: any, version: "v1.0" | "beta"): Promise<ListOutcome> {
    const items: any[] = Array.isArray(first?.value) ? [...first.value] : [];
    let next: string | undefined = first?.["@odata.nextLink"];
    while (next) {
      const r = await this.graph.get(next, version);
      if (!r.ok) return r;
      if (Array.isArray(r.body?.value)) items.push(...r.body.value);
      next = r.body?.["@odata.nextLink"];
    }
    return { ok: true, items };
  }

  /**
   * Send first pages in `$batch`es (grouped by version), then page each on its own. Each result is
   * its own promise, so what depends on one section starts as soon as that section is in, not when
   * the slowest section of its batch has finished paging.
   */
  lists(reads: Array<SectionRead & { id: string }>): Map<string, Promise<ListOutcome | EntityOutcome>> {
    const out = new Map<string, Promise<ListOutcome | EntityOutcome>>();
    const byVersion = new Map<string, Array<SectionRead & { id: string }>>();
    for (const r of reads) byVersion.set(r.version, [...(byVersion.get(r.version) ?? []), r]);
    for (const [version, group] of byVersion) {
      const answers = this.graph.batch(
        group.map((r) => ({ id: r.id, url: r.url, headers: r.headers })),
        version as "v1.0" | "beta",
      );
      for (const r of group) {
        out.set(
          r.id,
          answers.then(async (all) => {
            const a: ReadResult | undefined = all.get(r.id);
            let result: ListOutcome | EntityOutcome;
            if (!a || !a.ok) result = { ok: false, error: a && !a.ok ? a.error : missingAnswer() };
            else if (r.entity) result = { ok: true, body: stripContext(a.body) };
            else if (r.firstPageOnly)
              result = {
                ok: true,
                items: Array.isArray(a.body?.value) ? a.body.value : [],
                nextLink: a.body?.["@odata.nextLink"],
              };
            else result = await this.pages(a.body, r.version);
            this.progress(r.path);
            return result;
          }),
        );
      }
    }
    return out;
  }

  /** Read one relationship of many objects; failures are per object, or one key when all 403. */
  async relationships(read: RelationshipRead, objects: Array<Record<string, any>>): Promise<void> {
    if (!objects.length) return;
    const results = this.lists(
      objects.map((o) => ({
        id: String(o.id),
        path: read.path,
        version: read.version,
        url: read.url(String(o.id)),
        entity: !!read.pick,
      })),
    );
    const failures: Array<[Record<string, any>, ReadError]> = [];
    for (const o of objects) {
      const r = await results.get(String(o.id));
      if (!r || !r.ok) {
        failures.push([o, r && !r.ok ? r.error : missingAnswer()]);
        continue;
      }
      o[read.property] = read.pick ? read.pick((r as { body: any }).body) : (r as { items: any[] }).items;
    }
    if (!failures.length) return;
    // A permission the token lacks fails every object alike: one entry for the relationship says it.
    if (failures.length === objects.length && failures.every(([, e]) => e.status === 403)) {
      this.fail(read.path, failures[0]![1]);
      return;
    }
    for (const [o, e] of failures) this.fail(`${read.section}[${o.id}].${read.property}`, e);
  }
}

function missingAnswer(): ReadError {
  return new ReadError(undefined, undefined, "no answer in the $batch response");
}

export async function exportTenant(options: ExportOptions): Promise<ExportResult> {
  const { clients } = options;
  const now = options.now ?? (() => new Date());
  const emit = (done: string) => {
    const s = clients.tracker.summary();
    options.onProgress?.({ done, requests: s.requests, depth: s.maxDepth });
  };
  const c = new Collector(clients.graph, emit);

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

  const snapshot: Record<string, any> = {
    schema: SNAPSHOT_SCHEMA,
    tenant: { id: "", capturedAt: now().toISOString() },
  };

  const collectInto = async (path: string, reads: SectionRead[], into: any[]) => {
    const res = c.lists(reads.map((r, i) => ({ ...r, id: `${path}${i}` })));
    for (const p of res.values()) {
      const r = await p;
      if (!r.ok) c.fail(path, r.error);
      else into.push(...(r as { items: any[] }).items);
    }
  };
  // Wave 1 (+ pages): every top-level section; ARM runs alongside.
  const azure = collectAzure(clients.arm, emit, options.config?.azure?.subscriptionIds);
  // The snapshot's azure object is filled in place as ARM reads complete.
  snapshot.azure = azure.azure;
  const topLevel = c.lists(TOP_LEVEL_READS.map((r) => ({ ...r, id: r.path })));
  const section = async (path: string): Promise<void> => {
    const read = TOP_LEVEL_READS.find((r) => r.path === path)!;
    const r = await topLevel.get(path)!;
    if (!r.ok) c.fail(path, r.error);
    else snapshot[path] = read.entity ? (r as { body: any }).body : (r as { items: any[] }).items;
  };
  const plain = TOP_LEVEL_READS.map((r) => r.path).filter(
    (p) => p !== "users.signInActivity" && p !== "directoryAudits",
  );
  const done = new Map(plain.map((p) => [p, section(p)]));

  // Wave 2: members and owners of every group and AU, as soon as the groups / AUs are listed.
  const groupRelations = done
    .get("groups")!
    .then(() => Promise.all(GROUP_RELATIONSHIPS.map((r) => c.relationships(r, snapshot.groups ?? []))));
  const auRelations = done
    .get("administrativeUnits")!
    .then(() =>
      Promise.all(AU_RELATIONSHIPS.map((r) => c.relationships(r, snapshot.administrativeUnits ?? []))),
    );
  // PIM for groups: read per group (Graph requires the groupId filter).
  const pimGroups = done.get("groups")!.then(() =>
    Promise.all(
      PIM_GROUP_SECTIONS.map(async ({ path }) => {
        if (!snapshot.groups) return c.fail(path, `not read: groups unavailable (${c.unavailable.groups})`);
        const items: any[] = [];
        await collectInto(
          path,
          pimGroupReads(
            path,
            snapshot.groups.map((g: any) => String(g.id)),
          ),
          items,
        );
        if (!c.unavailable[path]) snapshot[path] = items;
      }),
    ),
  );

  // signInActivity joins the users when both are in; its failure leaves the users intact. Its
  // pages hold 120 users: a few more pages are followed; for a larger tenant the rest is read by
  // id, 15 per request, all in parallel, so the depth does not grow with the tenant.
  const signInActivity = Promise.all([done.get("users")!, topLevel.get("users.signInActivity")!]).then(
    async ([, first]) => {
      if (!first.ok) return c.fail("users.signInActivity", first.error);
      const items = [...(first as { items: any[] }).items];
      const nextLink = (first as { nextLink?: string }).nextLink;
      if (nextLink && snapshot.users) {
        const seen = new Set(items.map((u) => String(u.id).toLowerCase()));
        const rest = (snapshot.users as any[])
          .map((u) => String(u.id))
          .filter((id) => !seen.has(id.toLowerCase()));
        if (rest.length <= 3 * SIGN_IN_ACTIVITY_PAGE) {
          const r = await c.pages({ value: [], "@odata.nextLink": nextLink }, "v1.0");
          if (!r.ok) return c.fail("users.signInActivity", r.error);
          items.push(...r.items);
        } else {
          await collectInto("users.signInActivity", signInActivityReads(rest), items);
          if (c.unavailable["users.signInActivity"]) return;
        }
      }
      const byId = new Map(items.map((u) => [String(u.id).toLowerCase(), u]));
      for (const u of snapshot.users ?? []) {
        const hit = byId.get(String(u.id).toLowerCase());
        if (hit && "signInActivity" in hit) u.signInActivity = hit.signInActivity;
      }
    },
  );

  // Wave 3: the subjects' relationships, sign-ins and audits. Most subjects follow from Graph
  // alone (accounts, group, privileged users, CA exclusions): their reads start as soon as the
  // Graph inputs are in, without waiting for the Azure alert rules three ARM round trips away.
  // Users named only in an alert query are read once the rules are in (usually none are new).
  const subjectInput = { accounts: options.config?.accounts, group: options.config?.group };
  const signInOut: any[] = [];
  const auditOut: any[] = [];
  const readSubjects = async (userObjects: any[]) => {
    const ids = userObjects.map((u) => String(u.id));
    await Promise.all([
      ...USER_RELATIONSHIPS.map((r) => c.relationships(r, userObjects)),
      collectInto("signIns", signInReads(ids), signInOut),
      collectInto("directoryAudits", auditReads(ids), auditOut),
    ]);
  };
  const subjectsOf = (withAzure: boolean): string[] =>
    snapshot.users
      ? relationshipSubjects((withAzure ? snapshot : { ...snapshot, azure: {} }) as Snapshot, subjectInput)
          .userIds
      : [];
  const usersById = (ids: Iterable<string>) => {
    const wanted = new Set(ids);
    return ((snapshot.users ?? []) as any[]).filter((u) => wanted.has(String(u.id).toLowerCase()));
  };

  const graphInputs = Promise.all([
    ...SUBJECT_INPUTS.filter((k) => done.has(k)).map((k) => done.get(k)),
    groupRelations,
    pimGroups,
  ]);
  await graphInputs;
  const early = new Set(subjectsOf(false));
  const earlyReads = readSubjects(usersById(early));
  await azure.rules;
  const subjects = subjectsOf(true);
  const late = subjects.filter((id) => !early.has(id));
  const failedSoFar = [...Object.keys(c.unavailable), ...Object.keys(azure.unavailable)];
  const incomplete = SUBJECT_INPUTS.filter((k) => failedSoFar.some((u) => tablePath(u) === k));

  await Promise.all([
    earlyReads,
    late.length ? readSubjects(usersById(late)) : undefined,
    topLevel.get("directoryAudits")!.then((r) => {
      if (!r.ok) c.fail("directoryAudits", r.error);
      else auditOut.push(...(r as { items: any[] }).items);
    }),
    signInActivity,
    auRelations,
    azure.done.then(() => Object.assign(c.unavailable, azure.unavailable)),
    ...done.values(),
  ]);
  if (!c.unavailable.signIns) snapshot.signIns = dedupe(signInOut).sort(newestFirst("createdDateTime"));
  if (!c.unavailable.directoryAudits)
    snapshot.directoryAudits = dedupe(auditOut).sort(newestFirst("activityDateTime"));

  if (incomplete.length) {
    // The subject list may miss someone: their relationships are unknown, not empty.
    const causes = incomplete.map((k) => {
      const key = [...Object.keys(c.unavailable), ...Object.keys(azure.unavailable)].find(
        (u) => tablePath(u) === k,
      )!;
      return `${k} unavailable (${c.unavailable[key] ?? azure.unavailable[key]})`;
    });
    const why = `not read for every subject: ${causes.join("; ")}`;
    for (const key of [...USER_RELATIONSHIPS.map((r) => r.path), "signIns", "directoryAudits"])
      c.fail(key, why);
  }

  // The tenant id and name come from the organization object (else the token's tenant).
  const org = Array.isArray(snapshot.organization) ? snapshot.organization[0] : undefined;
  snapshot.tenant = {
    id: org?.id ?? tenantOfToken(graphToken?.token),
    ...(org?.displayName !== undefined ? { displayName: org.displayName } : {}),
    capturedAt: snapshot.tenant.capturedAt,
  };

  snapshot.unavailable = c.unavailable;
  return {
    snapshot: snapshot as Snapshot,
    subjects,
    requests: clients.tracker.summary(),
    writePermissions,
  };
}

function tenantOfToken(token: string | undefined): string {
  if (!token) return "";
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    return typeof payload.tid === "string" ? payload.tid : "";
  } catch {
    return "";
  }
}

function dedupe(items: any[]): any[] {
  const seen = new Map<string, any>();
  for (const it of items) seen.set(String(it?.id).toLowerCase(), it);
  return [...seen.values()];
}

const newestFirst = (prop: string) => (a: any, b: any) =>
  String(b?.[prop] ?? "").localeCompare(String(a?.[prop] ?? ""));
