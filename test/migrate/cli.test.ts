// `rafter migrate` as a real process: output on stdout, what was not carried on stderr, exit codes.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runRafter, type CliRun } from "../support/cli.js";
import { parseAllDocuments } from "yaml";
import { validateObject } from "../../src/api/validation.js";

const rafter = (...args: string[]): CliRun => runRafter(["migrate", ...args]);

describe("rafter migrate (CLI)", () => {
  it("prints valid rafter objects as YAML and lists what it could not carry on stderr", () => {
    const r = rafter("-f", "test/fixtures/karpenter/v1/instance-store-ephemeral-storage.yaml");
    assert.equal(r.status, 0, r.stderr);
    const objects = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: "NodePool" | "EC2NodeClass" });
    assert.deepEqual(
      objects.map((o) => o.kind),
      ["NodePool", "EC2NodeClass"],
    );
    for (const o of objects) assert.deepEqual(validateObject(o.kind, o), []);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(
      r.stderr,
      /^rafter migrate: not carried: test\/fixtures\/karpenter\/v1\/instance-store-ephemeral-storage\.yaml:37 EC2NodeClass\/instance-store-ephemeral-storage spec\.instanceStorePolicy: /,
    );
  });

  it("--strict exits 2 with nothing on stdout when a field cannot be carried, 0 when all can", () => {
    const lossy = rafter(
      "--strict",
      "-f",
      "test/fixtures/karpenter/v1/instance-store-ephemeral-storage.yaml",
    );
    assert.equal(lossy.status, 2);
    assert.equal(lossy.stdout, "");
    assert.match(lossy.stderr, /--strict: 1 field\(s\) could not be carried/);
    const clean = rafter("--strict", "-f", "test/fixtures/karpenter/v1/spot.yaml", "-o", "json");
    assert.equal(clean.status, 0, clean.stderr);
    const list = JSON.parse(clean.stdout) as { kind: string; items: { kind: string }[] };
    assert.equal(list.kind, "List");
    assert.deepEqual(
      list.items.map((i) => i.kind),
      ["NodePool", "EC2NodeClass"],
    );
  });

  it("exits 2 naming the file and line of bad YAML, without a stack trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "rafter-migrate-"));
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: [unclosed\n");
    const r = rafter("-f", bad);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^rafter: ${bad.replaceAll("/", "\\/")}:\\d+: invalid YAML`));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const missing = rafter("-f", join(dir, "nope.yaml"));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such file/);
  });
});
