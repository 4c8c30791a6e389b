/**
 * `breakglass init`'s starting configuration (docs/deploy.md "Commands"): obscure names generated
 * once (so they stay fixed), the initial onmicrosoft domain, and the existing accounts that look
 * like emergency accounts offered for adoption, as a commented YAML document. Pure: the random
 * source and the clock are passed in.
 */
import { Document, isMap, isScalar, type YAMLMap } from "yaml";
import { discoverCandidates, DISCOVERY_THRESHOLD } from "../discover/discover.js";
import type { Snapshot } from "../snapshot/schema.js";
import { initialDomainOf } from "./desired.js";

/** Letters and digits that cannot be mistaken for each other when read aloud or typed. */
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** A random integer in [0, n): a CSPRNG in the CLI (crypto.randomInt), a fixed sequence in tests. */
export type RandomInt = (n: number) => number;

export function obscureName(random: RandomInt, length = 5): string {
  // The first character is a letter: some systems refuse names that start with a digit.
  let out = ALPHABET[random(23)]!;
  while (out.length < length) out += ALPHABET[random(ALPHABET.length)]!;
  return out;
}

export interface InitInput {
  snapshot: Snapshot;
  random: RandomInt;
  now: Date;
  accountCount?: number;
}

export function initDocument(input: InitInput): Document {
  const { snapshot, random } = input;
  const domain = initialDomainOf(snapshot);
  if (!domain)
    throw Object.assign(
      new Error("the tenant's initial *.onmicrosoft.com domain is not in the snapshot (domains)"),
      { exitCode: 3 },
    );
  const count = input.accountCount ?? 2;
  const used = new Set(
    (snapshot.users ?? []).map((u) => (u.userPrincipalName ?? "").split("@")[0]!.toLowerCase()),
  );
  const fresh = () => {
    for (;;) {
      const n = obscureName(random);
      if (!used.has(n)) {
        used.add(n);
        return n;
      }
    }
  };
  const accounts = Array.from({ length: count }, () => `${fresh()}@${domain}`);
  const tag = `${ALPHABET[random(23)]}${1000 + random(9000)}`;
  const group = `grp-${tag}`;

  const doc = new Document({
    tenant: snapshot.tenant.id,
    accounts,
    names: {
      group: { displayName: group, mailNickname: group, description: "" },
      strength: `Strength ${tag}`,
      policy: `CA900 ${tag}`,
      administrativeUnit: `au-${tag}`,
    },
    profile: { passwords: "discarded", restrictedAU: false, keysPerAccount: 2, keyModels: [] },
  });
  const tenantName = (snapshot.tenant.displayName ?? snapshot.tenant.id).replace(/[\r\n]/g, " ");
  doc.commentBefore =
    ` Breakglass configuration for ${tenantName}, written by breakglass init on ${input.now.toISOString().slice(0, 10)}.\n` +
    " The names below were generated once and stay fixed: deploy finds its objects again by them.\n" +
    " Review, then: breakglass plan";
  if (!isMap(doc.contents)) throw new Error("init: the document is not a map");
  const map: YAMLMap = doc.contents;
  // A comment before a key goes on the key node, so it prints above the `key:` line.
  const commentOn = (key: string, text: string) => {
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair && isScalar(pair.key)) pair.key.commentBefore = text;
  };
  const candidates = discoverCandidates(snapshot).filter((c) => c.score >= DISCOVERY_THRESHOLD / 2);
  const offer = candidates.length
    ? "\n Existing accounts that look like emergency accounts (breakglass discover); to adopt one\n" +
      " instead of creating a new account, replace a generated name with it:\n" +
      candidates
        .map((c) => `   - ${(c.userPrincipalName ?? c.id).replace(/[\r\n]/g, " ")}   # score ${c.score}`)
        .join("\n")
    : "";
  commentOn(
    "accounts",
    ` The emergency accounts: cloud-only users on the initial domain ${domain}, created by deploy.` + offer,
  );
  commentOn("names", " Names of what deploy creates: obscure on purpose (nothing says emergency).");
  commentOn(
    "profile",
    " passwords: discarded (passkeys are the way in) | kept (delivered after enrollment, passwordDelivery).\n" +
      " restrictedAU: true places accounts and group in a restricted-management unit, created last.\n" +
      " keyModels: the AAGUIDs of the security key models bought (restrictKeyModels: true restricts to them).",
  );
  const ws = snapshot.azure?.workspaces ?? [];
  if (ws.length === 1 && ws[0]!.id && ws[0]!.name) {
    const rg = /\/resourceGroups\/([^/]+)/i.exec(ws[0]!.id)?.[1];
    if (rg) {
      doc.set("azure", { resourceGroup: rg, workspace: ws[0]!.name });
      commentOn("azure", " The Log Analytics workspace found (monitoring).");
    }
  }
  return doc;
}
