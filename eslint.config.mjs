// One lint configuration for every package. Type-checked rules, SonarJS (the paper used SonarQube),
// and import rules that hold the architecture: bank services never import the gateway or each
// other, and only store.ts files talk to mongoose.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import sonarjs from "eslint-plugin-sonarjs";

const banks = ["bank-bni", "bank-bca", "bank-mandiri"];
const noImport = (names, message) => names.map((name) => ({ group: [`**/${name}/**`, `@gerbang/${name}`, `@gerbang/${name}/**`], message }));
const mongooseOnlyInStore = { name: "mongoose", message: "Only store.ts files import mongoose; pass plain objects around." };

export default tseslint.config(
  { ignores: ["gen/**", "node_modules/**", ".tools/**", ".state/**", "bench/results/**", "coverage/**", "**/*.mjs", "**/*.js"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  sonarjs.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "sonarjs/todo-tag": "off",
      // mongoose types its schema and query options as classes that its docs fill with object literals.
      "@typescript-eslint/no-unsafe-class-instance-assignment": "off",
      "no-restricted-imports": ["error", { paths: [mongooseOnlyInStore] }],
    },
  },
  {
    files: ["**/store.ts", "**/*-store.ts", "packages/shared/src/db.ts", "**/*.test.ts", "test/**", "scripts/**", "bench/**"],
    rules: { "no-restricted-imports": "off" },
  },
  ...banks.map((bank) => ({
    files: [`services/${bank}/src/**/*.ts`],
    ignores: ["**/store.ts", "**/*-store.ts", "**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [mongooseOnlyInStore],
        patterns: noImport(["gateway", ...banks.filter((b) => b !== bank), "sandbox"], "A bank service depends only on gen/ and @gerbang/shared."),
      }],
    },
  })),
  {
    files: ["services/gateway/src/**/*.ts"],
    ignores: ["**/store.ts", "**/*-store.ts", "**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [mongooseOnlyInStore],
        patterns: noImport([...banks, "sandbox"], "The gateway talks to banks only through the generated BankTransferService client."),
      }],
    },
  },
  {
    files: ["packages/shared/src/**/*.ts"],
    ignores: ["**/*.test.ts", "packages/shared/src/db.ts", "**/store.ts", "**/*-store.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [mongooseOnlyInStore],
        patterns: noImport(["gateway", ...banks, "sandbox"], "The shared package depends on no service."),
      }],
    },
  },
  {
    files: ["**/*.test.ts", "test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/unbound-method": "off",
      "sonarjs/no-hardcoded-passwords": "off",
      "sonarjs/no-hardcoded-ip": "off",
      "sonarjs/no-clear-text-protocols": "off",
    },
  },
);
