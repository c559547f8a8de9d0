import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { configReference } from "../../scripts/config-reference.js";

describe("README", () => {
  it("embeds the configuration reference generated from src/config.ts", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const match = /<!-- config-reference:start -->\n([\s\S]*?)\n<!-- config-reference:end -->/.exec(readme);
    assert.ok(match, "README has the config-reference markers");
    assert.equal(match[1], configReference(), "run `npm run gen:docs` to refresh the README");
  });
});
