/**
 * The desired state: what the configuration asks deploy to build (docs/deploy.md "Resources"),
 * resolved against the tenant's names (the initial domain, existing objects to adopt). Pure.
 */
import type { Config } from "../config/schema.js";
import type { Snapshot } from "../snapshot/schema.js";
import { Directory } from "../snapshot/directory.js";

/** A configuration the planner cannot act on: exit 2, naming the key and the fix. */
export class PlanInputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "PlanInputError";
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (s: string): boolean => GUID.test(s);

/** docs/graph-writes.md §1.1: the characters a userPrincipalName's local part may hold. */
const UPN_LOCAL = /^[A-Za-z0-9'._\-!#^~]{1,64}$/;

export interface DesiredAccount {
  /** short stable name used in step ids: the UPN's local part, lower case. */
  key: string;
  /** the reference as the config gives it (a UPN or an object id). */
  configured: string;
  /** the UPN to create the account with (absent: adopt by id only). */
  userPrincipalName?: string;
  displayName?: string;
  mailNickname?: string;
}

export interface Desired {
  accounts: DesiredAccount[];
  group: { configured?: string; displayName?: string; mailNickname?: string; description: string };
  strength: { displayName?: string };
  policy: { ids: string[]; displayName?: string };
  administrativeUnit: { displayName?: string };
  initialDomain?: string;
}

export function initialDomainOf(snapshot: Snapshot): string | undefined {
  return (snapshot.domains ?? []).find((d) => d.isInitial === true)?.id;
}

export function desiredState(
  snapshot: Snapshot,
  config: Config,
  directory = new Directory(snapshot),
): Desired {
  const initialDomain = initialDomainOf(snapshot);
  const refs = config.accounts ?? [];
  if (refs.length < config.profile.accountCount.min)
    throw new PlanInputError(
      `accounts: ${refs.length} listed, profile.accountCount.min is ${config.profile.accountCount.min}; add account names (breakglass init generates them)`,
    );
  const tenantDomains = new Set((snapshot.domains ?? []).map((d) => d.id.toLowerCase()));
  const accounts = refs.map((ref, i): DesiredAccount => {
    const configured = ref.trim();
    const user = directory.user(configured);
    if (user) {
      const upn = user.userPrincipalName ?? undefined;
      return { key: keyOfUpn(upn ?? user.id), configured, ...(upn ? { userPrincipalName: upn } : {}) };
    }
    if (isGuid(configured))
      throw new PlanInputError(
        `accounts[${i}]: no user with id ${configured} in the tenant; an id only adopts an existing account (give a UPN on the initial domain to create one)`,
      );
    const at = configured.lastIndexOf("@");
    const local = at > 0 ? configured.slice(0, at) : "";
    const domain = at > 0 ? configured.slice(at + 1).toLowerCase() : "";
    if (!UPN_LOCAL.test(local) || local.endsWith(".") || !domain)
      throw new PlanInputError(
        `accounts[${i}]: "${configured}" is not a valid userPrincipalName (up to 64 of A-Z a-z 0-9 ' . - _ ! # ^ ~ before the @, no dot right before it)`,
      );
    if (tenantDomains.size && !tenantDomains.has(domain))
      throw new PlanInputError(
        `accounts[${i}]: ${domain} is not a domain of this tenant; use the initial domain ${initialDomain ?? "(*.onmicrosoft.com)"}`,
      );
    return {
      key: keyOfUpn(configured),
      configured,
      userPrincipalName: configured,
      displayName: local,
      mailNickname: local,
    };
  });
  const keys = new Set<string>();
  for (const a of accounts) {
    if (keys.has(a.key)) throw new PlanInputError(`accounts: ${a.configured} is listed twice`);
    keys.add(a.key);
  }
  const names = config.names ?? {};
  const groupName =
    names.group?.displayName ?? (config.group && !isGuid(config.group) ? config.group : undefined);
  return {
    accounts,
    group: {
      ...(config.group ? { configured: config.group } : {}),
      ...(groupName ? { displayName: groupName } : {}),
      ...(groupName ? { mailNickname: names.group?.mailNickname ?? mailNicknameOf(groupName) } : {}),
      description: names.group?.description ?? "",
    },
    strength: names.strength ? { displayName: names.strength } : {},
    policy: { ids: config.dedicatedPolicyIds, ...(names.policy ? { displayName: names.policy } : {}) },
    administrativeUnit: names.administrativeUnit ? { displayName: names.administrativeUnit } : {},
    ...(initialDomain ? { initialDomain } : {}),
  };
}

export const keyOfUpn = (upn: string): string => upn.split("@")[0]!.toLowerCase();

/** docs/graph-writes.md §2.1: a mailNickname is ASCII without `@ () \ [] " ; : <> ,` or spaces, 64 at most. */
export const mailNicknameOf = (name: string): string =>
  name.replace(/[^\x21-\x7e]|[@()\\[\]";:<>,]/g, "").slice(0, 64) || "group";

/** Data the plan needs could not be read: exit 3 (a plan from missing data would be wrong). */
export class PlanReadError extends Error {
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = "PlanReadError";
  }
}
