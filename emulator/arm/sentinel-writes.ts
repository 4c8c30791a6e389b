/**
 * Microsoft Sentinel writes (analytics rules, watchlists and their items): a body `etag` that
 * differs from the current one is a 409 (optimistic concurrency); NRT rules exist only in preview
 * api-versions; a watchlist's CSV `rawContent` becomes its items.
 */
import { randomUUID } from "node:crypto";
import { parse } from "csv-parse/sync";
import type { HttpResponse } from "../http.js";
import {
  badRequest,
  checkEtag,
  invalidContent,
  isInt,
  isObject,
  removeResource,
  requireBoolean,
  requireDuration,
  requireParent,
  requireProperties,
  requireString,
  upsertResource,
  type ArmWriteContext,
  type Json,
} from "./write-support.js";

const SENTINEL_SEVERITIES = new Set(["High", "Medium", "Low", "Informational"]);
const TRIGGER_OPERATORS = new Set(["GreaterThan", "LessThan", "Equal", "NotEqual"]);

export function putSentinelRule(
  ctx: ArmWriteContext,
  path: string,
  name: string,
  body: Json,
  apiVersion: string,
): HttpResponse {
  requireParent(ctx.store, path, 4, "Microsoft.OperationalInsights/workspaces");
  const kind = requireString(body, "kind", "");
  const known = ["Scheduled", "NRT", "MicrosoftSecurityIncidentCreation", "Fusion"];
  if (!known.includes(kind)) throw badRequest(`The rule kind '${kind}' is not supported.`, "kind");
  if (kind === "NRT" && !/preview/i.test(apiVersion))
    throw badRequest(
      `The rule kind 'NRT' is not supported in api-version '${apiVersion}'; use a preview api-version.`,
      "kind",
    );
  const p = requireProperties(body);
  if (kind === "Scheduled" || kind === "NRT") {
    requireString(p, "displayName");
    requireBoolean(p, "enabled");
    requireString(p, "query");
    const severity = requireString(p, "severity");
    if (!SENTINEL_SEVERITIES.has(severity))
      throw invalidContent(
        `severity '${severity}' is not High, Medium, Low or Informational.`,
        "properties.severity",
      );
    requireBoolean(p, "suppressionEnabled");
    requireDuration(p, "suppressionDuration", true);
  }
  if (kind === "Scheduled") {
    requireDuration(p, "queryFrequency", true);
    requireDuration(p, "queryPeriod", true);
    const op = requireString(p, "triggerOperator");
    if (!TRIGGER_OPERATORS.has(op))
      throw invalidContent(`triggerOperator '${op}' is not valid.`, "properties.triggerOperator");
    if (!isInt(p.triggerThreshold))
      throw invalidContent("The property 'triggerThreshold' is required.", "properties.triggerThreshold");
  }
  const existing = ctx.store.getArm(path)?.resource;
  checkEtag(existing, body);
  const resource: Json = {
    id: (existing?.id as string | undefined) ?? path,
    name,
    type: "Microsoft.SecurityInsights/alertRules",
    kind,
    etag: `"${randomUUID()}"`,
    properties: { ...p, lastModifiedUtc: new Date(ctx.now()).toISOString() },
  };
  return upsertResource(ctx.store, resource, "azure.sentinelAlertRules", existing !== undefined);
}

export function putWatchlist(ctx: ArmWriteContext, path: string, alias: string, body: Json): HttpResponse {
  requireParent(ctx.store, path, 4, "Microsoft.OperationalInsights/workspaces");
  const p = requireProperties(body);
  requireString(p, "displayName");
  requireString(p, "provider");
  const searchKey = requireString(p, "itemsSearchKey");
  if (p.source !== "Local file" && p.source !== "Remote storage")
    throw badRequest(
      "The property 'source' must be included in the request: 'Local file' or 'Remote storage'.",
      "properties.source",
    );
  let rows: Array<Record<string, string>> | undefined;
  if (p.rawContent !== undefined) {
    if (p.contentType !== "text/csv")
      throw badRequest("contentType must be 'text/csv' when rawContent is sent.", "properties.contentType");
    if (typeof p.rawContent !== "string")
      throw invalidContent("rawContent must be a string.", "properties.rawContent");
    rows = parseCsv(p.rawContent, isInt(p.numberOfLinesToSkip) ? (p.numberOfLinesToSkip as number) : 0);
    if (rows.length > 0 && !(searchKey in rows[0]!))
      throw badRequest(
        `The search key '${searchKey}' is not a column of rawContent.`,
        "properties.itemsSearchKey",
      );
  }
  const existing = ctx.store.getArm(path)?.resource;
  checkEtag(existing, body);
  const { rawContent: _raw, ...kept } = p;
  const id = (existing?.id as string | undefined) ?? path;
  const resource: Json = {
    id,
    name: alias,
    type: "Microsoft.SecurityInsights/Watchlists",
    etag: `"${randomUUID()}"`,
    properties: { ...kept, watchlistAlias: alias, uploadStatus: "Complete" },
  };
  if (rows) {
    // new raw content replaces the items (emulator choice: the service documentation leaves it open)
    for (const item of ctx.store.listArm(`${id}/watchlistItems`)) ctx.store.removeArm(item.id);
  }
  const response = upsertResource(ctx.store, resource, "azure.sentinelWatchlists", existing !== undefined);
  for (const row of rows ?? []) {
    const itemId = randomUUID();
    ctx.store.putArm(
      {
        id: `${id}/watchlistItems/${itemId}`,
        name: itemId,
        type: "Microsoft.SecurityInsights/Watchlists/WatchlistItems",
        properties: { watchlistItemId: itemId, itemsKeyValue: row },
      },
      "azure.sentinelWatchlists",
    );
  }
  return response;
}

export function removeWatchlist(ctx: ArmWriteContext, key: string): HttpResponse {
  const existing = ctx.store.getArm(key);
  const status = isObject(existing?.resource.properties)
    ? existing.resource.properties.uploadStatus
    : undefined;
  if (status === "InProgress")
    throw badRequest("The watchlist cannot be deleted while its upload is in progress.", "uploadStatus");
  return removeResource(ctx.store, key);
}

export function putWatchlistItem(ctx: ArmWriteContext, path: string, name: string, body: Json): HttpResponse {
  requireParent(ctx.store, path, 2, "Microsoft.SecurityInsights/watchlists");
  const p = requireProperties(body);
  if (!isObject(p.itemsKeyValue))
    throw invalidContent("The property 'itemsKeyValue' is required.", "properties.itemsKeyValue");
  const existing = ctx.store.getArm(path);
  const resource: Json = {
    id: existing?.id ?? path,
    name,
    type: "Microsoft.SecurityInsights/Watchlists/WatchlistItems",
    etag: `"${randomUUID()}"`,
    properties: { ...p, watchlistItemId: name },
  };
  return upsertResource(ctx.store, resource, "azure.sentinelWatchlists", existing !== undefined);
}

/** RFC 4180 CSV: a header line (after `skip` lines), then one record per row, by column name. */
export function parseCsv(text: string, skip = 0): Array<Record<string, string>> {
  return parse(text, {
    columns: true,
    from_line: skip + 1,
    skip_empty_lines: true,
    relax_column_count: true,
  }) as Array<Record<string, string>>;
}
