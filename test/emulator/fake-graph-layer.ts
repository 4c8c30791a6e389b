/**
 * A minimal Graph resource layer for the pipeline's tests, so they do not depend on the real one
 * (emulator/graph/, built separately). It honours the contract in emulator/graph/types.ts.
 */
import { graphError } from "../../emulator/graph/errors.js";
import type {
  CreateGraphResourceLayer,
  GraphRequest,
  GraphResolution,
  GraphResponse,
  ThrottleFamily,
} from "../../emulator/graph/types.js";
import type { Snapshot } from "../../src/snapshot/schema.js";

function collection(request: GraphRequest, context: string, items: unknown[]): GraphResponse {
  return {
    status: 200,
    headers: { "content-type": "application/json;odata.metadata=minimal;odata.streaming=true" },
    body: { "@odata.context": `${request.baseUrl}/${request.version}/$metadata#${context}`, value: items },
  };
}

export const createFakeGraphLayer: CreateGraphResourceLayer = (snapshot: Snapshot) => ({
  resolve(request: GraphRequest): GraphResolution {
    const route = (
      endpoint: string,
      family: ThrottleFamily,
      section: string,
      permissions: string[][],
      handle: () => GraphResponse,
      objectId?: string,
    ): GraphResolution => ({
      endpoint,
      family,
      section,
      permissions,
      handle,
      ...(objectId ? { objectId } : {}),
    });
    const { path, method } = request;
    if (method === "GET" && path === "/users") {
      const select = request.query.get("$select") ?? "";
      const permissions = [["User.Read.All", "Directory.Read.All"]];
      if (/signInActivity/i.test(select)) permissions.push(["AuditLog.Read.All"]);
      return route("GET /users", "directory", "users", permissions, () =>
        collection(request, "users", snapshot.users ?? []),
      );
    }
    const methods = /^\/users\/([^/]+)\/authentication\/methods$/.exec(path);
    if (method === "GET" && methods) {
      const id = methods[1]!;
      return route(
        "GET /users/{id}/authentication/methods",
        "reports",
        "users.authenticationMethods",
        [["UserAuthenticationMethod.Read.All"]],
        () => {
          const user = snapshot.users?.find((u) => u.id.toLowerCase() === id.toLowerCase());
          if (!user) return graphError(404, "Request_ResourceNotFound", `Resource '${id}' does not exist.`);
          return collection(
            request,
            `users('${id}')/authentication/methods`,
            user.authenticationMethods ?? [],
          );
        },
        id,
      );
    }
    if (method === "GET" && path === "/identity/conditionalAccess/policies") {
      return route(
        "GET /identity/conditionalAccess/policies",
        "conditionalAccess",
        "conditionalAccessPolicies",
        [["Policy.Read.All"]],
        () =>
          collection(
            request,
            "identity/conditionalAccess/policies",
            snapshot.conditionalAccessPolicies ?? [],
          ),
      );
    }
    if (method === "GET" && path === "/auditLogs/signIns") {
      return route("GET /auditLogs/signIns", "reports", "signIns", [["AuditLog.Read.All"]], () =>
        collection(request, "auditLogs/signIns", snapshot.signIns ?? []),
      );
    }
    if (method === "GET" && path === "/organization") {
      return route("GET /organization", "directory", "organization", [["Organization.Read.All"]], () =>
        collection(request, "organization", snapshot.organization ?? []),
      );
    }
    return {
      endpoint: `${method} (unknown)`,
      error: graphError(
        400,
        "BadRequest",
        `Resource not found for the segment '${path.split("/")[1] ?? ""}'.`,
      ),
    };
  },
});
