import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { configReference } from "../../scripts/config-reference.js";

describe("README", () => {
  it("embeds the configuration reference generated from src/config.ts", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const match = /<!-- config-reference:start -->\n([\s\S]*?)\n<!-- config-reference:end -->/.exec(readme);
    assert.ok(match, "README has the config-reference markers");
    assert.equal(match[1], configReference(), "run `npm run gen:docs` to refresh the README");
  });
});

describe("README metrics table", () => {
  it("lists every rafter_ metric the code registers", () => {
    const root = new URL("../../src/", import.meta.url).pathname;
    const names = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (entry.endsWith(".ts"))
          for (const match of readFileSync(path, "utf8").matchAll(/"(rafter_[a-z_]+)"/g))
            names.add(match[1]!);
      }
    };
    walk(root);
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    assert.ok(names.size >= 20, `found ${names.size} metric names`);
    for (const name of names) assert.ok(readme.includes(`\`${name}`), `README lists ${name}`);
  });
});
