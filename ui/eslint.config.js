// Lint rules for Steward's UI: the recommended JavaScript and TypeScript rules, and React's
// recommended hooks rules. useIpcQuery takes a dependency list like useEffect: exhaustive-deps
// checks it where it is called.
import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist", "node_modules", "src/bindings.ts"] },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended, reactHooks.configs.flat.recommended],
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.browser, ...globals.node } },
    rules: {
      "react-hooks/exhaustive-deps": ["warn", { additionalHooks: "(useIpcQuery)" }],
    },
  },
);
