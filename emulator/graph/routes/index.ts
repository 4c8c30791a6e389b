/**
 * The Graph route table: every route the emulator serves, with its versions, permissions
 * (AND-of-ORs), throttling family, snapshot section, and handler, assembled from one file per
 * family. `doc` feeds emulator/graph/ROUTES.md (generated from this table by routes-doc.ts, so the document cannot
 * drift from the code). Order matters only for that document and for which route answers first when two
 * patterns match the same path (none do today).
 */
import { administrativeUnitRoutes } from "./administrative-units.js";
import { auditRoutes } from "./audit.js";
import { conditionalAccessRoutes } from "./conditional-access.js";
import { governanceRoutes } from "./governance.js";
import { groupRoutes } from "./groups.js";
import { identityProtectionRoutes } from "./identity-protection.js";
import { methodsPolicyRoutes } from "./methods-policies.js";
import { organizationRoutes } from "./organization.js";
import { pimRoutes } from "./pim.js";
import { roleRoutes } from "./roles.js";
import { reportRoutes } from "./reports.js";
import type { RouteDef } from "./route.js";
import { strengthRoutes } from "./strengths.js";
import { tenantPolicyRoutes } from "./tenant-policies.js";
import { deletedUserRoutes, userRoutes } from "./users.js";

export type { RouteContext, RouteDef, RouteDoc } from "./route.js";
export { deriveInstances } from "./schedule-instances.js";

export function buildRoutes(): RouteDef[] {
  return [
    ...userRoutes,
    ...deletedUserRoutes,
    ...identityProtectionRoutes,
    ...groupRoutes,
    ...administrativeUnitRoutes,
    ...roleRoutes,
    ...pimRoutes,
    ...conditionalAccessRoutes,
    ...strengthRoutes,
    ...methodsPolicyRoutes,
    ...tenantPolicyRoutes,
    ...governanceRoutes,
    ...auditRoutes,
    ...reportRoutes,
    ...organizationRoutes,
  ];
}
