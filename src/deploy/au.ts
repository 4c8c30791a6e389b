/**
 * au (docs/deploy.md step 9, only with `profile.restrictedAU: true`): a restricted-management
 * administrative unit holding the accounts and the group, created last, because afterwards no
 * tenant-wide administrator or application can change them.
 */
import type { Snapshot } from "../snapshot/schema.js";
import { norm } from "../snapshot/directory.js";
import { withWaiting } from "./activate.js";
import { PlanInputError } from "./desired.js";
import type { Planning } from "./planning.js";
import { fingerprint, GRAPH_ORIGIN, makeStep, odataString, stepKey } from "./step.js";
import { type ObjectRef, refToken, type Step } from "./types.js";

export const KIND = "au";
const AUS = "/v1.0/directory/administrativeUnits";
export const AU_COST =
  "afterwards no other administrator can reset these accounts' passwords, tenant-wide admins and applications cannot change their methods or properties without a role scoped to the unit, and only a tenant-wide Global or Privileged Role Administrator can change the group's members";

type Au = NonNullable<Snapshot["administrativeUnits"]>[number];

export interface AuActual {
  au?: Au;
}

export function read(p: Planning): AuActual {
  const all = p.snapshot.administrativeUnits ?? [];
  const name = p.desired.administrativeUnit.displayName;
  if (name) {
    const hit = all.filter((a) => a.displayName === name);
    if (hit.length > 1)
      throw new PlanInputError(
        `names.administrativeUnit: ${hit.length} units are named "${name}"; rename one`,
      );
    if (hit[0]) return { au: hit[0] };
  }
  // An existing restricted unit that already holds an account is the one to adopt.
  const accounts = new Set([...p.ids.accounts.values()].map(norm));
  const found = all.find(
    (a) => a.isMemberManagementRestricted === true && (a.members ?? []).some((m) => accounts.has(norm(m.id))),
  );
  return found ? { au: found } : {};
}

export interface AuDiff {
  key: string;
  displayName?: string;
  au?: Au;
  add: Array<{ key: string; id: string; type: "users" | "groups" }>;
}

export function diff(p: Planning, actual: AuActual): AuDiff | undefined {
  if (!p.profile.restrictedAU) return undefined;
  const au = actual.au;
  const displayName = p.desired.administrativeUnit.displayName ?? au?.displayName ?? undefined;
  if (!au && !displayName)
    throw new PlanInputError(
      "names.administrativeUnit: profile.restrictedAU needs a unit name (breakglass init writes one)",
    );
  if (au && au.isMemberManagementRestricted !== true)
    throw new PlanInputError(
      `names.administrativeUnit: "${au.displayName ?? au.id}" is not a restricted-management unit, and Entra cannot make it one; name a new unit`,
    );
  const members = new Set((au?.members ?? []).map((m) => norm(m.id)));
  const wanted = [
    ...[...p.ids.accounts.entries()].map(([key, id]) => ({ key, id, type: "users" as const })),
    { key: "group", id: p.ids.group!, type: "groups" as const },
  ];
  const add = wanted.filter((w) => !members.has(norm(w.id)));
  if (au && !add.length) return undefined;
  return {
    key: stepKey(displayName ?? au!.id),
    ...(displayName ? { displayName } : {}),
    ...(au ? { au } : {}),
    add,
  };
}

export function steps(d: AuDiff | undefined, p: Planning): Step[] {
  if (!d) return [];
  const objectRef: ObjectRef = {
    type: "administrativeUnit",
    key: d.key,
    ...(d.au ? { id: d.au.id } : {}),
    ...(d.displayName ? { name: d.displayName } : {}),
  };
  const dependsOn = [
    fingerprint(
      objectRef,
      d.au
        ? {
            restricted: d.au.isMemberManagementRestricted ?? null,
            members: (d.au.members ?? []).map((m) => norm(m.id)).sort(),
          }
        : undefined,
    ),
  ];
  const out: Step[] = [];
  const id = `${KIND}.${d.key}`;
  if (!d.au)
    out.push(
      makeStep({
        id,
        kind: KIND,
        action: "create",
        objectRef,
        summary: `create restricted-management administrative unit "${d.displayName}"`,
        changes: [{ property: "isMemberManagementRestricted", new: true }],
        request: {
          method: "POST",
          url: AUS,
          body: { displayName: d.displayName, description: "", isMemberManagementRestricted: true },
        },
        lookup: `${AUS}?$filter=displayName eq ${odataString(d.displayName!)}`,
        dependsOn,
        satisfies: ["EA-ROLE-04"],
        risk: AU_COST,
      }),
    );
  const auId = d.au ? d.au.id : refToken(id);
  for (const m of d.add)
    out.push(
      makeStep({
        id: `${id}.member.${m.key}`,
        kind: KIND,
        action: "create",
        objectRef: {
          type: "administrativeUnitMember",
          key: `${d.key}/${m.key}`,
          ...(m.id.startsWith("{{") ? {} : { id: m.id }),
        },
        summary: `place ${m.key} in the restricted unit "${d.displayName ?? d.au?.id}"`,
        request: {
          method: "POST",
          url: `${AUS}/${auId}/members/$ref`,
          body: { "@odata.id": `${GRAPH_ORIGIN}/v1.0/${m.type}/${m.id}` },
        },
        dependsOn,
        satisfies: ["EA-ROLE-04"],
        ...(d.au ? { risk: AU_COST } : {}),
      }),
    );
  return out.map((s) => withWaiting(s, p));
}
