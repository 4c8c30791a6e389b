/**
 * The JSON Schemas the package ships (schemas/), generated from the zod definitions. Written by
 * scripts/gen-schemas.ts; a test fails when a committed file differs from what this returns.
 */
import { CONFIG_SCHEMA_FILE, configJsonSchema } from "../config/json-schema.js";
import { PLAN_SCHEMA_FILE, planJsonSchema } from "../deploy/plan-file.js";
import { CUSTODY_SCHEMA_FILE, custodyJsonSchema } from "../records/custody.js";
import { REPORT_SCHEMA_FILE, reportJsonSchema } from "./model.js";

/** Repository-relative path -> file content. */
export function generatedSchemaFiles(): Map<string, string> {
  const text = (schema: unknown) => JSON.stringify(schema, null, 2) + "\n";
  return new Map([
    [CONFIG_SCHEMA_FILE, text(configJsonSchema())],
    [REPORT_SCHEMA_FILE, text(reportJsonSchema())],
    [PLAN_SCHEMA_FILE, text(planJsonSchema())],
    [CUSTODY_SCHEMA_FILE, text(custodyJsonSchema())],
  ]);
}
