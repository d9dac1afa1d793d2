// Lint of the staff application: ESLint's and typescript-eslint's recommended rules, typed,
// and two of ours: customer text is never markup (no innerHTML / outerHTML /
// insertAdjacentHTML / document.write), and no eval of any kind.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "generated/", "node_modules/", "build.mjs", "eslint.config.js", "vitest.config.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "customer text is never markup: build text nodes" },
        { property: "outerHTML", message: "customer text is never markup: build text nodes" },
        { property: "insertAdjacentHTML", message: "customer text is never markup" },
        { object: "document", property: "write", message: "customer text is never markup" },
      ],
      "no-implied-eval": "error",
      "@typescript-eslint/no-floating-promises": ["error", { ignoreVoid: true }],
    },
  },
);
