// Lint: typescript-eslint strict + type-checked rules over every TypeScript file.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

// The layering of src/, stated once and enforced. Each block lists every import restriction of the
// files it covers (a later block replaces an earlier one's list for the files both cover, so each
// repeats the package rules). Relative imports are matched by the folder they reach, at any depth.
const reaching = (...folders) => `^(\\.\\./)+(${folders.join("|")})(/|\\.js$)`;
const awsSdk = {
  group: ["@aws-sdk/*"],
  message:
    "only src/cloud/aws/ talks to AWS; use the cloud ports in src/cloud/ (CloudProvider, InterruptionSource).",
};
const kubeClientAtRunTime = {
  name: "@kubernetes/client-node",
  allowTypeImports: true,
  message:
    "only src/kube/ and src/cli/ call the Kubernetes client; elsewhere import its types only (import type).",
};
const layering = (files, { packages = [awsSdk], paths = [kubeClientAtRunTime], patterns = [] } = {}) => ({
  files,
  rules: {
    "@typescript-eslint/no-restricted-imports": ["error", { paths, patterns: [...packages, ...patterns] }],
  },
});
const architecture = [
  layering(["src/**/*.ts"]),
  layering(["src/cloud/aws/**/*.ts"], { packages: [] }),
  layering(["src/kube/**/*.ts", "src/cli/**/*.ts"], { paths: [] }),
  layering(["src/planner/**/*.ts"], {
    patterns: [
      {
        regex: reaching("kube", "cloud", "extender", "controllers", "server", "cli", "main"),
        message: "the planner is pure: it does no I/O and knows no controller, client or server.",
      },
      { regex: "^node:", message: "the planner is pure: no Node.js I/O modules." },
    ],
  }),
  layering(["src/controllers/**/*.ts", "src/extender/**/*.ts"], {
    patterns: [
      {
        regex: reaching("cloud/aws"),
        message:
          "controllers and the extender reach the cloud through its ports in src/cloud/, never cloud/aws/.",
      },
    ],
  }),
  layering(["src/domain/**/*.ts"], {
    patterns: [
      {
        regex: "^\\.\\./(?!api/)",
        message: "domain/ is the innermost layer: it imports nothing but domain/ (and api/ types).",
      },
      { regex: "^\\.\\./api/", allowTypeImports: true, message: "domain/ may import api/ types only." },
      { regex: "^node:", message: "domain/ is pure: no Node.js I/O modules." },
    ],
  }),
  layering(["src/api/**/*.ts"], {
    patterns: [
      {
        regex: reaching(
          ...["catalog", "planner", "state", "kube", "cloud", "extender", "controllers", "server", "cli"],
          ...["metrics", "main", "config", "logging", "clock", "failpoint", "version"],
        ),
        message: "api/ (the custom resources' types and rules) imports only api/ and domain/.",
      },
    ],
  }),
];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".tmp/**", "e2e/k8s/**", "**/*.js", "**/*.mjs"] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-definitions": "off",
      // @kubernetes/client-node models Kubernetes objects as behaviour-less classes (V1Pod, V1Node,
      // …). rafter treats them as plain data: objects come from JSON, YAML and watch events, never
      // from those constructors, so these two rules would only flag correct code.
      "@typescript-eslint/no-unsafe-class-instance-assignment": "off",
      "@typescript-eslint/no-misused-spread": "off",
    },
  },
  ...architecture,
  {
    // Time and chance are dependencies (src/clock.ts: Clock, Timers, Random), so tests drive them.
    files: ["src/**/*.ts"],
    ignores: ["src/clock.ts"],
    rules: {
      "no-restricted-globals": [
        "error",
        ...["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate"].map((name) => ({
          name,
          message: "Use the injected Timers (src/clock.ts).",
        })),
      ],
      "no-restricted-properties": [
        "error",
        { object: "Math", property: "random", message: "Use the injected Random (src/clock.ts)." },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "e2e/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["it", "test", "describe", "suite"] },
          ],
        },
      ],
    },
  },
);
