// `rafter run` refuses to start when nodes could not join: with no --cluster-endpoint/--service-cidr
// and no EKS to answer DescribeCluster, it exits 2 with one line naming the flags, before listening.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { runRafter, unreachableKubeconfig } from "../support/cli.js";

describe("rafter run: cluster bootstrap at start", () => {
  it("exits 2 with one line naming the missing flags when DescribeCluster cannot answer", () => {
    const dir = mkdtempSync(join(tmpdir(), "rafter-run-"));
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, stringify(unreachableKubeconfig));
    const r = runRafter(
      [
        "run",
        `--kubeconfig=${kubeconfig}`,
        "--cloud=aws",
        "--cluster-name=prod",
        // Nothing listens here: DescribeCluster fails at once (connection refused).
        "--ec2-endpoint=http://127.0.0.1:1",
        "--cluster-ca-bundle=Q0E=",
        "--metrics-port=0",
        "--extender-port=0",
      ],
      {
        timeoutMs: 60_000,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      },
    );
    assert.equal(r.status, 2, r.stderr);
    // The log's JSON lines ("rafter starting") precede it; the error itself is one line, no stack.
    const lines = r.stderr
      .trim()
      .split("\n")
      .filter((line) => !line.startsWith("{"));
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.match(
      lines[0] ?? "",
      /^rafter: nodes could not join: set --cluster-endpoint, --service-cidr \(eks:DescribeCluster prod failed: /,
    );
  });
});
