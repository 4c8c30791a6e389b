import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { CONFIG_SCHEMA_FILE } from "../../src/config/json-schema.js";
import { generatedSchemaFiles } from "../../src/report/schema-files.js";
import { SPEC_EXAMPLE } from "./fixtures.js";

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  a: Ajv,
) => Ajv;
const root = new URL("../../", import.meta.url);

describe("shipped JSON Schemas", () => {
  for (const [path, content] of generatedSchemaFiles()) {
    it(`${path} matches its zod definition (else run: npx tsx scripts/gen-schemas.ts)`, () => {
      expect(readFileSync(new URL(path, root), "utf8")).toBe(content);
    });
  }
  it("lets an editor validate the config.md example and flag an unknown key", () => {
    const ajv = addFormats(new Ajv({ strict: false }));
    const validate = ajv.compile(JSON.parse(readFileSync(new URL(CONFIG_SCHEMA_FILE, root), "utf8")));
    expect(validate(parse(SPEC_EXAMPLE)), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ profile: { namming: "obscure" } })).toBe(false);
  });
});
