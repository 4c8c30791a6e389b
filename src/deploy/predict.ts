/**
 * The tenant after a step, predicted in memory (the lockout gate proves this state before the step
 * is sent). Models what Graph does with each request deploy sends (docs/graph-writes.md): objects merge
 * property by property on PATCH and arrays are replaced whole; a create adds the object as a later
 * read shows it. Objects created earlier in the plan carry their `{{ref:...}}` id unless `ids`
 * gives the real one. Pure: returns a new snapshot, which shares with `before` every section and
 * object the step leaves as it was (copy on write: apply predicts after each of its steps, and a
 * deep copy of the whole tenant per step was most of the gate's cost). Neither snapshot is changed
 * afterwards by anyone: the gate and the prover only read them.
 */
import { GLOBAL_ADMINISTRATOR, norm } from "../snapshot/directory.js";
import type { Snapshot } from "../snapshot/schema.js";
import { predictArm } from "./monitoring/predict-arm.js";
import { refToken, resolveRefs, type Step } from "./types.js";

// A boundary of untyped JSON: the prediction applies arbitrary Graph request bodies to the snapshot as
// JSON trees, path by path, as Graph does; the result is a Snapshot again only because the lockout gate
// and the predict-equality test read it back through the snapshot's types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const PASSWORD_METHOD_ID = "28c10230-6103-485e-b985-444c60001490";

/** PATCH semantics: nested objects merge, arrays and scalars replace. */
export function mergePatch(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (
      v &&
      typeof v === "object" &&
      !Array.isArray(v) &&
      out[k] &&
      typeof out[k] === "object" &&
      !Array.isArray(out[k])
    )
      out[k] = mergePatch(out[k], v);
    else out[k] = v;
  }
  return out;
}

const idOfRef = (ref: string): string =>
  ref.replace(/^https:\/\/graph\.microsoft\.com\/v1\.0\/[A-Za-z]+\//, "");

export class PredictError extends Error {}

export function predict(
  before: Snapshot,
  step: Step,
  ids: ReadonlyMap<string, string> = new Map(),
): Snapshot {
  if (step.request.service === "arm") return predictArm(before, step, ids);
  const s = { ...before } as Json;
  // An object not created yet keeps its reference as its id: consistent within the prediction.
  const req = resolveRefs(step.request, ids, refToken);
  const body = (req.body ?? {}) as Json;
  const created = ids.get(step.id) ?? refToken(step.id);
  const path = req.url.replace(/^\/(v1\.0|beta)/, "").split("?")[0]!;
  const seg = path.split("/").filter(Boolean);
  /** a section of the new snapshot, as a list of its own (its elements still shared) */
  const copied = new Set<string>();
  const list = (name: string): Json[] => {
    if (!copied.has(name)) {
      copied.add(name);
      s[name] = [...((s[name] as Json[] | undefined) ?? [])];
    }
    return s[name] as Json[];
  };
  /** whether a section holds the object */
  const has = (name: string, id: string) => list(name).some((x) => norm(x.id) === norm(id));
  /** the object, as a copy of its own in the new snapshot's section: the step may change it */
  const find = (name: string, id: string): Json | undefined => {
    const xs = list(name);
    const at = xs.findIndex((x) => norm(x.id) === norm(id));
    if (at < 0) return undefined;
    return (xs[at] = structuredClone(xs[at]!));
  };
  /** a singleton section (a policy object), as a copy of its own */
  const own = (name: string): Json => (s[name] = structuredClone((s[name] as Json | undefined) ?? {}));
  const must = <T>(x: T | undefined, what: string): T => {
    if (x === undefined) throw new PredictError(`step ${step.id}: ${what} is not in the snapshot`);
    return x;
  };
  const m = req.method;

  if (seg[0] === "users" && seg.length === 1 && m === "POST") {
    list("users").push({
      id: created,
      userPrincipalName: body.userPrincipalName,
      displayName: body.displayName,
      mailNickname: body.mailNickname,
      accountEnabled: body.accountEnabled,
      userType: "Member",
      onPremisesSyncEnabled: null,
      onPremisesImmutableId: null,
      passwordPolicies: body.passwordPolicies ?? null,
      // Entra gives a cloud user one identity: its UPN, issued by the tenant's own domain (EA-ACC-03 reads it).
      identities: [
        {
          signInType: "userPrincipalName",
          issuer: String(body.userPrincipalName ?? "").replace(/^.*@/, ""),
          issuerAssignedId: body.userPrincipalName,
        },
      ],
      assignedLicenses: [],
      mobilePhone: null,
      otherMails: [],
      authenticationMethods: [
        { "@odata.type": "#microsoft.graph.passwordAuthenticationMethod", id: PASSWORD_METHOD_ID },
      ],
      perUserMfaState: "disabled",
      ownedObjects: [],
    });
  } else if (seg[0] === "users" && seg.length === 2 && m === "PATCH") {
    const u = must(find("users", seg[1]!), `user ${seg[1]}`);
    Object.assign(u, mergePatch(u, body));
  } else if (seg[0] === "users" && seg[2] === "assignLicense") {
    const u = must(find("users", seg[1]!), `user ${seg[1]}`);
    const remove = new Set((body.removeLicenses ?? []).map(norm));
    u.assignedLicenses = (u.assignedLicenses ?? []).filter((l: Json) => !remove.has(norm(l.skuId)));
  } else if (seg[0] === "users" && seg[2] === "authentication" && seg[3] === "requirements") {
    must(find("users", seg[1]!), `user ${seg[1]}`).perUserMfaState = body.perUserMfaState;
  } else if (seg[0] === "users" && seg[2] === "authentication" && m === "DELETE") {
    const u = must(find("users", seg[1]!), `user ${seg[1]}`);
    u.authenticationMethods = (u.authenticationMethods ?? []).filter(
      (x: Json) => norm(x.id) !== norm(seg[4]),
    );
  } else if (seg[0] === "groups" && seg.length === 1 && m === "POST") {
    const { "members@odata.bind": bind, ...rest } = body;
    list("groups").push({
      id: created,
      ...rest,
      visibility: "Private",
      members: ((bind as string[] | undefined) ?? []).map((r) => ({
        "@odata.type": "#microsoft.graph.user",
        id: idOfRef(r),
      })),
      owners: [],
    });
  } else if (seg[0] === "groups" && seg.length === 2 && m === "PATCH") {
    const g = must(find("groups", seg[1]!), `group ${seg[1]}`);
    Object.assign(g, mergePatch(g, body));
  } else if (seg[0] === "groups" && (seg[2] === "members" || seg[2] === "owners")) {
    const g = must(find("groups", seg[1]!), `group ${seg[1]}`);
    const rel = seg[2];
    if (m === "POST") {
      const id = idOfRef(body["@odata.id"]);
      const type = has("groups", id) ? "#microsoft.graph.group" : "#microsoft.graph.user";
      g[rel] = [...(g[rel] ?? []).filter((x: Json) => norm(x.id) !== norm(id)), { "@odata.type": type, id }];
    } else g[rel] = (g[rel] ?? []).filter((x: Json) => norm(x.id) !== norm(seg[3]));
  } else if (seg[0] === "policies" && seg[1] === "authenticationStrengthPolicies") {
    if (seg.length === 2) {
      list("authenticationStrengthPolicies").push({
        id: created,
        displayName: body.displayName,
        description: body.description ?? "",
        policyType: "custom",
        requirementsSatisfied: "mfa",
        allowedCombinations: body.allowedCombinations,
        combinationConfigurations: (body.combinationConfigurations ?? []).map((c: Json, i: number) => ({
          ...c,
          id: `${created}-c${i}`,
        })),
      });
    } else {
      const x = must(find("authenticationStrengthPolicies", seg[2]!), `strength ${seg[2]}`);
      if (seg[3] === "updateAllowedCombinations") x.allowedCombinations = body.allowedCombinations;
      else Object.assign(x, mergePatch(x, body));
    }
    refreshStrengthCopies(s);
  } else if (seg[0] === "identity" && seg[2] === "authenticationStrength") {
    const x = must(find("authenticationStrengthPolicies", seg[4]!), `strength ${seg[4]}`);
    const configs: Json[] = (x.combinationConfigurations ??= []);
    if (m === "POST") configs.push({ ...body, id: `${seg[4]}-c${configs.length}` });
    else {
      const c = must(
        configs.find((y) => norm(y.id) === norm(seg[6])),
        `combination configuration ${seg[6]}`,
      );
      Object.assign(c, mergePatch(c, body));
    }
    refreshStrengthCopies(s);
  } else if (seg[0] === "identity" && seg[1] === "conditionalAccess" && seg[2] === "policies") {
    if (m === "POST") list("conditionalAccessPolicies").push({ ...body, id: created });
    else {
      const x = must(find("conditionalAccessPolicies", seg[3]!), `policy ${seg[3]}`);
      Object.assign(x, mergePatch(x, body));
    }
    refreshStrengthCopies(s);
  } else if (seg[0] === "policies" && seg[1] === "authorizationPolicy" && m === "PATCH") {
    const policy = own("authorizationPolicy");
    Object.assign(policy, mergePatch(policy, body));
  } else if (seg[0] === "policies" && seg[1] === "authenticationMethodsPolicy") {
    const policy = own("authenticationMethodsPolicy");
    if (seg.length === 2) Object.assign(policy, mergePatch(policy, body));
    else {
      const configs: Json[] = (policy.authenticationMethodConfigurations ??= []);
      const c = must(
        configs.find((y) => norm(y.id) === norm(seg[3])),
        `method configuration ${seg[3]}`,
      );
      Object.assign(c, mergePatch(c, body));
    }
  } else if (seg[0] === "roleManagement" && seg[2] === "roleAssignments" && m === "POST") {
    list("roleAssignments").push({
      id: created,
      principalId: body.principalId,
      roleDefinitionId: body.roleDefinitionId,
      directoryScopeId: body.directoryScopeId,
    });
    list("roleAssignmentSchedules").push({
      id: created,
      principalId: body.principalId,
      roleDefinitionId: body.roleDefinitionId,
      directoryScopeId: body.directoryScopeId,
      status: "Provisioned",
      assignmentType: "Assigned",
      memberType: "Direct",
      scheduleInfo: {
        startDateTime: null,
        expiration: { type: "noExpiration", endDateTime: null, duration: null },
      },
    });
  } else if (seg[0] === "roleManagement" && seg[2] === "roleAssignmentScheduleRequests") {
    s.roleAssignmentSchedules = list("roleAssignmentSchedules").map((x) =>
      norm(x.principalId) === norm(body.principalId) &&
      norm(x.roleDefinitionId) === norm(body.roleDefinitionId ?? GLOBAL_ADMINISTRATOR)
        ? {
            ...x,
            scheduleInfo: {
              ...(x.scheduleInfo ?? {}),
              expiration: { type: "noExpiration", endDateTime: null, duration: null },
            },
          }
        : x,
    );
  } else if (seg[0] === "roleManagement" && seg[2] === "roleEligibilityScheduleRequests") {
    s.roleEligibilitySchedules = list("roleEligibilitySchedules").filter(
      (x) =>
        !(
          norm(x.principalId) === norm(body.principalId) &&
          norm(x.roleDefinitionId) === norm(body.roleDefinitionId)
        ),
    );
  } else if (seg[0] === "directory" && seg[1] === "administrativeUnits") {
    if (seg.length === 2) list("administrativeUnits").push({ id: created, ...body, members: [] });
    else {
      const au = must(find("administrativeUnits", seg[2]!), `administrative unit ${seg[2]}`);
      const id = idOfRef(body["@odata.id"]);
      const type = has("groups", id) ? "#microsoft.graph.group" : "#microsoft.graph.user";
      au.members = [
        ...(au.members ?? []).filter((x: Json) => norm(x.id) !== norm(id)),
        { "@odata.type": type, id },
      ];
    }
  } else throw new PredictError(`step ${step.id}: no prediction for ${m} ${req.url}`);
  return s as Snapshot;
}

/**
 * Graph returns a CA policy's strength expanded; keep the expanded copies in line with the strengths.
 * Every policy that carries one gets a new object (the old one may be shared with the snapshot before).
 */
function refreshStrengthCopies(s: Json): void {
  const strengths = new Map(((s.authenticationStrengthPolicies ?? []) as Json[]).map((x) => [norm(x.id), x]));
  if (s.conditionalAccessPolicies === undefined) return;
  s.conditionalAccessPolicies = (s.conditionalAccessPolicies as Json[]).map((p) => {
    const ref = p.grantControls?.authenticationStrength;
    const full = ref && strengths.get(norm(ref.id));
    if (!full) return p;
    const { combinationConfigurations: _, ...rest } = full;
    return { ...p, grantControls: { ...p.grantControls, authenticationStrength: structuredClone(rest) } };
  });
}
