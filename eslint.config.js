import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      "coverage/**",
      "fixtures/tenants/**",
      "bench/results/**",
      "src/snapshot/validate.generated.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Tests, the emulator, scripts and benchmarks may use any (fixtures, damaged documents).
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    // The product has types: untyped JSON is `unknown`, narrowed (src/snapshot/json.ts).
    files: ["src/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "error" },
  },
);
