/**
 * The layer driven by the real @microsoft/microsoft-graph-client (its URL building, query strings and
 * PageIterator following nextLinks), with a middleware standing in for the HTTPS pipeline.
 */
import { Client, PageIterator, type Context, type Middleware } from "@microsoft/microsoft-graph-client";
import { describe, expect, it } from "vitest";
import type { GraphRequest, GraphVersion } from "../../../emulator/graph/types.js";
import { BASE, BG1, makeLayer } from "./fixture.js";

const layer = makeLayer();
const seen: string[] = [];

/** Does what the pipeline does: split base/version/path, decode per segment, hand the rest to the layer. */
class LayerMiddleware implements Middleware {
  async execute(context: Context): Promise<void> {
    const url = new URL(typeof context.request === "string" ? context.request : context.request.url);
    seen.push(url.toString());
    const prefix = new URL(BASE).pathname;
    const [, version, ...segs] = url.pathname.slice(prefix.length).split("/");
    const headers: Record<string, string> = {};
    new Headers(context.options?.headers as HeadersInit | undefined).forEach(
      (v, k) => (headers[k.toLowerCase()] = v),
    );
    const req: GraphRequest = {
      method: context.options?.method ?? "GET",
      version: version as GraphVersion,
      path: "/" + segs.map((s) => decodeURIComponent(s)).join("/"),
      query: url.searchParams,
      headers,
      baseUrl: BASE,
    };
    const r = layer.resolve(req);
    const res = "error" in r ? r.error : r.handle();
    const body = typeof res.body === "string" ? res.body : JSON.stringify(res.body);
    context.response = new Response(body, { status: res.status, headers: res.headers });
  }
}

const client = Client.initWithMiddleware({
  middleware: new LayerMiddleware(),
  baseUrl: BASE,
  defaultVersion: "v1.0",
});

describe("through @microsoft/microsoft-graph-client", () => {
  it("pages through every user with PageIterator, following absolute nextLinks", async () => {
    seen.length = 0;
    const first = await client
      .api("/users")
      .select(["id", "displayName"])
      .filter("accountEnabled eq true")
      .top(50)
      .get();
    const ids: string[] = [];
    const it = new PageIterator(client, first, (u: { id: string }) => {
      ids.push(u.id);
      return true;
    });
    await it.iterate();
    expect(ids).toHaveLength(227);
    expect(new Set(ids).size).toBe(227);
    expect(seen).toHaveLength(5);
    expect(seen[1]).toMatch(/\$skiptoken=/);
  });

  it("sends ConsistencyLevel and $count, and reads signInActivity", async () => {
    const r = await client
      .api("/users")
      .header("ConsistencyLevel", "eventual")
      .count(true)
      .filter("endsWith(userPrincipalName,'onmicrosoft.com')")
      .select("id,signInActivity")
      .get();
    expect(r["@odata.count"]).toBe(3);
    expect(r.value[0]).toMatchObject({
      id: BG1,
      signInActivity: { lastSignInDateTime: "2026-10-01T00:00:00Z" },
    });
  });

  it("surfaces Graph's error envelope as a GraphError", async () => {
    await expect(client.api("/users").filter("passwordPolicies eq 'x'").get()).rejects.toMatchObject({
      statusCode: 400,
      code: "Request_UnsupportedQuery",
    });
  });

  it("reads beta-only paths with .version('beta') and a guest UPN with %23", async () => {
    const r = await client.api(`/users/${BG1}/authentication/requirements`).version("beta").get();
    expect(r).toEqual({ perUserMfaState: "disabled" });
    const g = await client
      .api("/users/ext_user_fabrikam.com%23EXT%23@contoso.onmicrosoft.com")
      .select("userType")
      .get();
    expect(g.userType).toBe("Guest");
  });
});
