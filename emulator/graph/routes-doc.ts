/**
 * Renders ROUTES.md from the route table, so the document a client author reads is the code.
 * Regenerate with: npx tsx emulator/graph/routes-doc.ts > emulator/graph/ROUTES.md
 * (test/emulator/graph/routes-doc.test.ts fails when the committed file is stale).
 */
import { pathToFileURL } from "node:url";
import * as prettier from "prettier";
import { DEFAULT_APP_PERMISSIONS } from "./permissions.js";
import { buildRoutes, type RouteContext } from "./routes/index.js";
import { TenantStore } from "./tenant-store.js";

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The markdown, formatted by prettier as the repository's `prettier --write` would leave it. */
export async function renderRoutesMarkdown(): Promise<string> {
  const config = (await prettier.resolveConfig(new URL("./ROUTES.md", import.meta.url))) ?? {};
  return prettier.format(renderRaw(), { ...config, parser: "markdown" });
}

function renderRaw(): string {
  const store = new TenantStore({
    schema: "breakglass.snapshot/v1",
    tenant: { id: "t", capturedAt: "2026-01-01T00:00:00Z" },
  });
  const ctx: RouteContext = {
    req: {
      method: "GET",
      version: "v1.0",
      path: "/",
      query: new URLSearchParams(),
      headers: {},
      baseUrl: "https://x",
    },
    params: {},
    store,
  };
  const lines = [
    "# Emulated Microsoft Graph routes",
    "",
    "Generated from `emulator/graph/routes/` by `routes-doc.ts`; do not edit by hand.",
    "",
    "Conventions (docs/graph-contract.md §0):",
    "",
    "- Paths are relative to `{baseUrl}/v1.0` or `{baseUrl}/beta`. Literal segments match case-insensitively; ids are compared case-insensitively; a `#` in a UPN must be sent as `%23`.",
    '- Collections: `{ "@odata.context", "@odata.count"? , "@odata.nextLink"?, value }`. `@odata.nextLink` is an absolute URL under the same base carrying an opaque `$skiptoken` and the original query: follow it unchanged.',
    "- **Advanced query (†)** = header `ConsistencyLevel: eventual` **and** `$count=true`. Directory objects need it for `ne`, `not`, `endsWith`, OData casts, `$orderby` combined with `$filter`; `$search` and `$count=true` need the header.",
    "- `$select` on users: without it only the default set (businessPhones, displayName, givenName, id, jobTitle, mail, mobilePhone, officeLocation, preferredLanguage, surname, userPrincipalName); `id` always returned; selected-but-unset properties are `null` (`[]` for collections). Other resources return all their properties without `$select`.",
    "- Relationships stored inline in the snapshot (users' authenticationMethods, perUserMfaState, ownedObjects, signInActivity; groups' members/owners; AU members) are never in entity responses: read them from their endpoints.",
    '- A filter operator not listed for a property → 400 (`Request_UnsupportedQuery` on directory objects, `BadRequest` elsewhere); a syntax error → 400 `BadRequest` "Invalid filter clause: ...". An unknown path segment or a beta-only path on v1.0 → 400 `BadRequest` "Resource not found for the segment \'<segment>\'."; a missing object → 404. A singleton section absent from the snapshot → 404.',
    "- Directory objects allow at most 15 child clauses in `in (...)` lists and `or` chains together (400 `Request_UnsupportedQuery` above that): batch id lookups by 15. String comparisons are case-insensitive; datetimes and GUIDs are unquoted literals.",
    "- Evolvable enums: values after `unknownFutureValue` (lifecycle workflow category `mover`/`extensibility`, CA `riskRemediation`) are sent as `unknownFutureValue` unless the request has `Prefer: include-unknown-enum-members`.",
    "- Permissions are AND-of-ORs: each bracketed list needs one granted permission, least privileged first. The default emulated app holds: " +
      DEFAULT_APP_PERMISSIONS.join(", ") +
      ".",
    "- Section is the docs/snapshot.md `unavailable` key the pipeline injects faults by; (per object) means `objectId` is set to the path id, i.e. `section[<id>]`.",
    "",
    "| Method | Path | Versions | Query options (filter operators) | Mandatory | Page default / max | Permissions | Family | Section |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of buildRoutes()) {
    const perms = typeof r.permissions === "function" ? r.permissions(ctx) : r.permissions.map((l) => [...l]);
    let permText = perms.map((l) => `[${l.join(", ")}]`).join(" AND ");
    if (r.pattern === "/users" || r.pattern === "/users/{id}")
      permText += " (+ AND [AuditLog.Read.All] when signInActivity is selected or filtered)";
    let section = typeof r.section === "function" ? r.section(ctx) : r.section;
    if (r.pattern === "/users" || r.pattern === "/users/{id}")
      section += " (users.signInActivity when selected)";
    if (r.objectParam) section += " (per object)";
    lines.push(
      `| ${r.method} | \`${r.pattern}\` | ${r.versions.join(", ")} | ${cell(r.doc.query)} | ${cell(r.doc.mandatory ?? "")} | ${cell(r.doc.page ?? "")} | ${cell(permText)} | ${r.family} | ${cell(section)} |`,
    );
  }
  lines.push("");
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href)
  process.stdout.write(await renderRoutesMarkdown());
