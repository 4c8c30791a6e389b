/**
 * The ARM resources the emulator serves: the snapshot's `azure` section indexed by resource id and by
 * collection, so GETs are lookups and write endpoints (ARM PUT/DELETE) are `putArm`/`removeArm` on
 * the same indexes. It also holds the emulator's private copy of the snapshot, which the Graph
 * resource layer is built over (graph/tenant-store.ts indexes the Graph side).
 */
import type { ArmResource, Snapshot } from "../../src/snapshot/schema.js";

/** The `azure.*` snapshot sections, also the `section` of ARM faults and counters. */
export type ArmSection =
  | "azure.subscriptions"
  | "azure.diagnosticSettings"
  | "azure.workspaces"
  | "azure.tables"
  | "azure.scheduledQueryRules"
  | "azure.actionGroups"
  | "azure.sentinelAlertRules"
  | "azure.sentinelWatchlists"
  /** the alerts API (emulator/arm/alerts.ts): what the emulator's alert rules raised */
  | "azure.alerts";

/** ARM resource type (last type segment, lower-case) → snapshot section. */
export const ARM_TYPE_SECTIONS: Record<string, ArmSection> = {
  subscriptions: "azure.subscriptions",
  diagnosticsettings: "azure.diagnosticSettings",
  workspaces: "azure.workspaces",
  tables: "azure.tables",
  scheduledqueryrules: "azure.scheduledQueryRules",
  actiongroups: "azure.actionGroups",
  alertrules: "azure.sentinelAlertRules",
  watchlists: "azure.sentinelWatchlists",
  watchlistitems: "azure.sentinelWatchlists",
};

export interface ArmEntry {
  /** the id as the resource spells it */
  id: string;
  section: ArmSection;
  /** the JSON served for the resource */
  resource: Record<string, unknown>;
  /** lower-case subscription id from the `/subscriptions/{id}/` prefix, if any */
  subscriptionId?: string;
}

export interface SubscriptionRecord {
  subscriptionId: string;
  displayName: string | null;
  state: string | null;
  [key: string]: unknown;
}

const SNAPSHOT_ARM_SECTIONS: Array<[keyof NonNullable<Snapshot["azure"]>, ArmSection]> = [
  ["diagnosticSettings", "azure.diagnosticSettings"],
  ["workspaces", "azure.workspaces"],
  ["tables", "azure.tables"],
  ["scheduledQueryRules", "azure.scheduledQueryRules"],
  ["actionGroups", "azure.actionGroups"],
  ["sentinelAlertRules", "azure.sentinelAlertRules"],
  ["sentinelWatchlists", "azure.sentinelWatchlists"],
];

/** Lower-case, no trailing slash: ARM ids and paths compare case-insensitively. */
export function armKey(path: string): string {
  return path.replace(/\/+$/, "").toLowerCase();
}

function parentCollection(key: string): string {
  return key.slice(0, key.lastIndexOf("/"));
}

export function subscriptionOf(id: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(id)?.[1]?.toLowerCase();
}

/** `/subscriptions/s/resourcegroups/rg/providers/ns/type/name` → `/subscriptions/s/providers/ns/type` */
function subscriptionCollection(key: string): string | undefined {
  const m = /^(\/subscriptions\/[^/]+)\/resourcegroups\/[^/]+\/providers\/([^/]+)\/([^/]+)\/[^/]+$/.exec(key);
  return m ? `${m[1]}/providers/${m[2]}/${m[3]}` : undefined;
}

export class ArmResourceStore {
  readonly snapshot: Snapshot;
  private readonly subscriptions = new Map<string, SubscriptionRecord>();
  private readonly armById = new Map<string, ArmEntry>();
  /** collection path (lower-case) → ids (lower-case) in insertion order */
  private readonly armCollections = new Map<string, Set<string>>();

  constructor(snapshot: Snapshot) {
    this.snapshot = structuredClone(snapshot);
    const azure = this.snapshot.azure ?? {};
    for (const sub of azure.subscriptions ?? []) {
      this.subscriptions.set(sub.subscriptionId.toLowerCase(), sub as SubscriptionRecord);
    }
    for (const [key, section] of SNAPSHOT_ARM_SECTIONS) {
      const resources = (azure[key] ?? []) as ArmResource[];
      for (const resource of resources) {
        if (section === "azure.sentinelWatchlists") this.putWatchlist(resource);
        else this.putArm(resource as Record<string, unknown>, section);
      }
    }
  }

  get tenantId(): string {
    return this.snapshot.tenant.id;
  }

  listSubscriptions(): SubscriptionRecord[] {
    return [...this.subscriptions.values()];
  }

  getSubscription(subscriptionId: string): SubscriptionRecord | undefined {
    return this.subscriptions.get(subscriptionId.toLowerCase());
  }

  getArm(id: string): ArmEntry | undefined {
    return this.armById.get(armKey(id));
  }

  /** Resources of the collection at `path` (e.g. `.../workspaces/ws/tables`, `/subscriptions/s/providers/Microsoft.Insights/actionGroups`). */
  listArm(path: string): ArmEntry[] {
    const ids = this.armCollections.get(armKey(path));
    return ids ? [...ids].map((id) => this.armById.get(id)!).filter(Boolean) : [];
  }

  /** Adds or replaces a resource (the slot for ARM PUT). Resources without an id cannot be addressed and are skipped. */
  putArm(resource: Record<string, unknown>, section: ArmSection): ArmEntry | undefined {
    const id = typeof resource.id === "string" ? resource.id : undefined;
    if (!id) return undefined;
    const key = armKey(id);
    const entry: ArmEntry = { id, section, resource, subscriptionId: subscriptionOf(id) };
    this.armById.set(key, entry);
    this.addToCollection(parentCollection(key), key);
    const bySubscription = subscriptionCollection(key);
    if (bySubscription) this.addToCollection(bySubscription, key);
    return entry;
  }

  /** Removes a resource and everything under it (the slot for ARM DELETE). */
  removeArm(id: string): boolean {
    const key = armKey(id);
    if (!this.armById.has(key)) return false;
    for (const childKey of [...this.armById.keys()]) {
      if (childKey === key || childKey.startsWith(`${key}/`)) {
        this.armById.delete(childKey);
        for (const ids of this.armCollections.values()) ids.delete(childKey);
      }
    }
    return true;
  }

  private putWatchlist(watchlist: ArmResource): void {
    // the snapshot keeps a watchlist's items inside it; ARM serves them as child resources
    const { items, ...resource } = watchlist as Record<string, unknown> & { items?: unknown };
    const entry = this.putArm(resource, "azure.sentinelWatchlists");
    if (!entry || !Array.isArray(items)) return;
    for (const item of items as Array<Record<string, unknown>>) {
      const name = typeof item.name === "string" ? item.name : undefined;
      const id =
        typeof item.id === "string" ? item.id : name ? `${entry.id}/watchlistItems/${name}` : undefined;
      if (id) this.putArm({ ...item, id }, "azure.sentinelWatchlists");
    }
  }

  private addToCollection(collection: string, key: string): void {
    let ids = this.armCollections.get(collection);
    if (!ids) this.armCollections.set(collection, (ids = new Set()));
    ids.add(key);
  }
}
