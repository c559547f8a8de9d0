// How every command reports bad input and failures, run as a real process: input a person can fix
// exits 2 with one line; an unforeseen failure exits 1 with one line, its stack only at debug level.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { stringify } from "yaml";
import { unreachableKubeconfig } from "../support/cli.js";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; resolves when it exits (a hung process fails the test by its timeout). */
function rafter(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => {
      resolve({ status, stdout, stderr });
    });
  });
}

/** rafter's own lines on stderr (the AWS SDK may add a runtime warning of its own on Node 20). */
const rafterLines = (stderr: string): string[] => stderr.split("\n").filter((l) => l.startsWith("rafter:"));

const dir = mkdtempSync(join(tmpdir(), "rafter-cli-errors-"));
const file = (name: string, object: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, stringify(object));
  return path;
};
const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

describe("rafter plan with objects the CRDs reject", () => {
  it("rejects a NodePool that breaks the CRD schema: exit 2, one line naming the file, object and field", async () => {
    const path = file("heavy.yaml", {
      apiVersion: "rafter.dev/v1",
      kind: "NodePool",
      metadata: { name: "heavy" },
      spec: { weight: "heavy" },
    });
    const r = await rafter(["plan", "-f", path]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.split("\n").length, 2, `one line: ${r.stderr}`);
    assert.match(
      r.stderr,
      new RegExp(`^rafter: ${escaped(path)}: NodePool heavy: .*spec\\.weight: must be integer`),
    );
  });

  it("rejects a NodePool that breaks one of the CRD's CEL rules", async () => {
    const r = await rafter(["plan", "-f", "test/fixtures/invalid/nodepool-gt-not-integer.yaml"]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(
      r.stderr,
      "rafter: test/fixtures/invalid/nodepool-gt-not-integer.yaml: NodePool invalid-gt-not-integer: " +
        "spec.template.spec.requirements[0]: requirements with operator 'Gt' must have a single integer value\n",
    );
  });
});

describe("rafter run", () => {
  it("exits 2 with one line for a kubeconfig that does not exist, as rafter status does", async () => {
    const r = await rafter(["run", "--kubeconfig", "/nonexistent/kubeconfig"]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, "rafter: --kubeconfig /nonexistent/kubeconfig: no such file\n");
  });

  it("exits 2 with one line for a kubeconfig without a cluster", async () => {
    const path = file("empty-kubeconfig.yaml", { apiVersion: "v1", kind: "Config" });
    const r = await rafter(["run", "--kubeconfig", path]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, `rafter: kubeconfig ${path}: no current context with a cluster\n`);
  });

  describe("when it fails for a reason it did not foresee (its extender port is taken)", () => {
    let taken: Server;
    let kubeconfig: string;
    before(async () => {
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
      kubeconfig = file("kubeconfig.yaml", unreachableKubeconfig);
    });
    after(() => {
      taken.close();
    });
    // --cloud simulated: no cluster discovery (which fails first without EKS) before the listeners start.
    const args = () => [
      "run",
      "--cloud",
      "simulated",
      "--kubeconfig",
      kubeconfig,
      "--extender-bind",
      "127.0.0.1",
      "--extender-port",
      String((taken.address() as AddressInfo).port),
    ];

    it("exits 1 with one line and no stack", async () => {
      const r = await rafter([...args(), "--log-level", "warn"]);
      assert.equal(r.status, 1, r.stderr);
      assert.deepEqual(rafterLines(r.stderr), [
        `rafter: listen EADDRINUSE: address already in use 127.0.0.1:${(taken.address() as AddressInfo).port}`,
      ]);
      assert.doesNotMatch(r.stderr, /^\s+at /m);
    });

    it("adds the stack at --log-level debug", async () => {
      const r = await rafter([...args(), "--log-level", "debug"]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /^rafter: Error: listen EADDRINUSE/m);
      assert.match(r.stderr, /^\s+at /m);
    });
  });
});
