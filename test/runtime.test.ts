// The project brings its own Node: package.json's optionalDependencies pin the registry's
// node-<platform>-<arch> package, whose bin `npm run` puts first on PATH. The suite (and every child
// it spawns with process.execPath) must run on it, not on the machine's Node.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

interface PackageJson {
  engines: { node: string };
  optionalDependencies?: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as PackageJson;
const runtimePackage = `node-${process.platform}-${process.arch}`;
const pinned = manifest.optionalDependencies?.[runtimePackage];

describe("runtime", () => {
  it(
    "runs on the Node the project pins for this platform",
    { skip: pinned ? false : `no ${runtimePackage}` },
    () => {
      assert.equal(process.version, `v${pinned}`);
      assert.match(process.execPath, new RegExp(`node_modules/${runtimePackage}/bin/node$`));
    },
  );

  it("satisfies engines.node", () => {
    const minimum = /^>=(\d+)\.(\d+)$/.exec(manifest.engines.node);
    assert.ok(minimum, `engines.node is ">=major.minor": ${manifest.engines.node}`);
    const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
    const [wantMajor, wantMinor] = [Number(minimum[1]), Number(minimum[2])];
    assert.ok(major > wantMajor || (major === wantMajor && minor >= wantMinor), process.version);
  });
});
