/**
 * The JSON Schema of breakglass.yaml, generated from the zod definition so editors complete exactly
 * what the loader accepts. `scripts/gen-schemas.ts` writes it to schemas/; a test fails on drift.
 */
import { z } from "zod";
import { Config } from "./schema.js";

export const CONFIG_SCHEMA_FILE = "schemas/breakglass.config.schema.json";

export function configJsonSchema(): Record<string, unknown> {
  // "input": every key is optional in the file (defaults fill it), which is what an editor should offer.
  const generated = z.toJSONSchema(Config, { io: "input", target: "draft-7" }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: "Breakglass configuration (breakglass.yaml / breakglass.json)",
    ...rest,
  };
}
