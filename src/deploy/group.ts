/**
 * group (docs/deploy.md step 2): a role-assignable security group named from `names.group`, the
 * accounts its only members, no owners. Adopted by `group:` (id or name) or `names.group`.
 */
import type { Group } from "../snapshot/schema.js";
import { norm } from "../snapshot/directory.js";
import { PlanInputError, PlanReadError } from "./desired.js";
import type { Planning } from "./planning.js";
import { directoryObjectRef, fingerprint, makeStep, odataString, stepKey } from "./step.js";
import { type ObjectRef, type PropertyChange, refToken, type Step } from "./types.js";

export const KIND = "group";

export interface GroupActual {
  group?: Group;
}

export function read(p: Planning): GroupActual {
  const { desired, directory } = p;
  if (desired.group.configured) {
    const g = directory.group(desired.group.configured);
    if (g) return { group: g };
  }
  const name = desired.group.displayName;
  if (!name) return {};
  const matches = [...directory.groups.values()].filter((g) => g.displayName === name);
  if (matches.length > 1)
    throw new PlanInputError(
      `names.group: ${matches.length} groups are named "${name}"; set group: to the id of the emergency group`,
    );
  return matches[0] ? { group: matches[0] } : {};
}

export interface GroupDiff {
  key: string;
  group?: Group;
  displayName?: string;
  mailNickname?: string;
  description: string;
  changes: PropertyChange[];
  /** account key -> user id (or reference) to add. */
  addMembers: Array<{ key: string; id: string }>;
  removeMembers: Array<{ id: string; label: string }>;
  removeOwners: Array<{ id: string; label: string }>;
}

export const managedGroup = (g: Group) => ({
  displayName: g.displayName ?? null,
  description: g.description ?? null,
  isAssignableToRole: g.isAssignableToRole ?? null,
  members: (g.members ?? []).map((m) => norm(m.id)).sort(),
  owners: (g.owners ?? []).map((m) => norm(m.id)).sort(),
});

export function diff(p: Planning, actual: GroupActual): GroupDiff {
  const want = p.desired.group;
  const g = actual.group;
  const key = stepKey(want.displayName ?? g?.displayName ?? g?.id ?? "group");
  const out: GroupDiff = {
    key,
    description: want.description,
    changes: [],
    addMembers: [],
    removeMembers: [],
    removeOwners: [],
    ...(want.displayName ? { displayName: want.displayName } : {}),
    ...(want.mailNickname ? { mailNickname: want.mailNickname } : {}),
  };
  const accountIds = [...p.ids.accounts.entries()];
  if (!g) {
    if (want.configured && !want.displayName)
      throw new PlanInputError(
        `group: no group "${want.configured}" in the tenant; give names.group.displayName to create one`,
      );
    if (!want.displayName)
      throw new PlanInputError(
        "names.group: the emergency group needs a name (breakglass init writes one), or set group: to an existing group",
      );
    out.addMembers = accountIds.map(([k, id]) => ({ key: k, id }));
    return out;
  }
  out.group = g;
  if (g.isAssignableToRole !== true)
    throw new PlanInputError(
      `group: "${g.displayName ?? g.id}" is not role-assignable, and Entra cannot convert an existing group; name a new group in names.group and remove group:`,
    );
  if (want.displayName && g.displayName !== want.displayName && p.config.names?.group)
    out.changes.push({ property: "displayName", old: g.displayName ?? null, new: want.displayName });
  if (p.config.names?.group && (g.description ?? "") !== want.description)
    out.changes.push({ property: "description", old: g.description ?? null, new: want.description });
  if (g.members === undefined || g.owners === undefined)
    throw new PlanReadError(`the members and owners of group "${g.displayName ?? g.id}" could not be read`);
  const members = new Set(g.members.map((m) => norm(m.id)));
  out.addMembers = accountIds.filter(([, id]) => !members.has(norm(id))).map(([k, id]) => ({ key: k, id }));
  const wanted = new Set(accountIds.map(([, id]) => norm(id)));
  const label = (id: string) =>
    p.directory.user(id)?.userPrincipalName ?? p.directory.groups.get(norm(id))?.displayName ?? id;
  out.removeMembers = g.members
    .filter((m) => !wanted.has(norm(m.id)))
    .map((m) => ({ id: m.id, label: label(m.id) }));
  out.removeOwners = g.owners.map((m) => ({ id: m.id, label: label(m.id) }));
  return out;
}

export const stepId = (d: { key: string }): string => `${KIND}.${d.key}`;

export function steps(d: GroupDiff): Step[] {
  const g = d.group;
  const objectRef: ObjectRef = {
    type: "group",
    key: d.key,
    ...(g ? { id: g.id } : {}),
    ...(d.displayName ? { name: d.displayName } : {}),
  };
  const dependsOn = [fingerprint(objectRef, g ? managedGroup(g) : undefined)];
  const gid = g ? g.id : refToken(stepId(d));
  const label = `"${d.displayName ?? g?.displayName ?? g?.id}"`;
  const out: Step[] = [];
  if (!g)
    out.push(
      makeStep({
        id: stepId(d),
        kind: KIND,
        action: "create",
        objectRef,
        summary: `create role-assignable group ${label}`,
        changes: [
          { property: "displayName", new: d.displayName },
          { property: "isAssignableToRole", new: true },
        ],
        request: {
          method: "POST",
          url: "/v1.0/groups",
          body: {
            displayName: d.displayName,
            description: d.description || undefined,
            mailEnabled: false,
            mailNickname: d.mailNickname,
            securityEnabled: true,
            groupTypes: [],
            isAssignableToRole: true,
          },
        },
        lookup: `/v1.0/groups?$filter=displayName eq ${odataString(d.displayName!)}&$select=id,displayName`,
        dependsOn,
        satisfies: ["EA-ROLE-03"],
      }),
    );
  else if (d.changes.length)
    out.push(
      makeStep({
        id: stepId(d),
        kind: KIND,
        action: "update",
        objectRef,
        summary: `update group ${label}`,
        changes: d.changes,
        request: {
          method: "PATCH",
          url: `/v1.0/groups/${g.id}`,
          body: Object.fromEntries(d.changes.map((c) => [c.property, c.new])),
        },
        dependsOn,
        satisfies: ["EA-ACC-08"],
      }),
    );
  for (const m of d.addMembers)
    out.push(
      makeStep({
        id: `${stepId(d)}.member.${m.key}`,
        kind: KIND,
        action: "create",
        objectRef: {
          type: "groupMember",
          key: `${d.key}/${m.key}`,
          ...(m.id.startsWith("{{") ? {} : { id: m.id }),
        },
        summary: `add ${m.key} to group ${label}`,
        request: { method: "POST", url: `/v1.0/groups/${gid}/members/$ref`, body: directoryObjectRef(m.id) },
        dependsOn,
        satisfies: ["EA-ROLE-03"],
      }),
    );
  for (const [what, list] of [
    ["member", d.removeMembers],
    ["owner", d.removeOwners],
  ] as const)
    for (const m of list)
      out.push(
        makeStep({
          id: `${stepId(d)}.${what}.${stepKey(m.label)}`,
          kind: KIND,
          action: "destroy",
          objectRef: {
            type: what === "member" ? "groupMember" : "groupOwner",
            key: `${d.key}/${m.id}`,
            id: m.id,
          },
          summary: `remove ${what} ${m.label} from group ${label}`,
          request: { method: "DELETE", url: `/v1.0/groups/${gid}/${what}s/${m.id}/$ref` },
          dependsOn,
          satisfies: what === "member" ? ["EA-ROLE-03", "EA-ROLE-05"] : ["EA-ROLE-03"],
          risk:
            what === "member"
              ? "a member of the emergency group inherits Global Administrator and every exclusion"
              : "an owner can add anyone to the group, which holds Global Administrator",
        }),
      );
  return out;
}

export const idOf = (d: GroupDiff): string => (d.group ? d.group.id : refToken(stepId(d)));
