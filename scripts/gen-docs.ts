// Refreshes the generated parts of README.md (the configuration reference).
import { readFileSync, writeFileSync } from "node:fs";
import { configReference } from "./config-reference.js";

const path = new URL("../README.md", import.meta.url);
const readme = readFileSync(path, "utf8");
const updated = readme.replace(
  /<!-- config-reference:start -->\n[\s\S]*?<!-- config-reference:end -->/,
  `<!-- config-reference:start -->\n${configReference()}\n<!-- config-reference:end -->`,
);
writeFileSync(path, updated);
console.log(updated === readme ? "README.md up to date" : "README.md updated");
