// `rafter status` against a live cluster: after rafter has launched capacity for a small Deployment,
// the command (run from source with the admin kubeconfig) reports the NodePool, its nodes, spend equal
// to the VirtualNodes' prices, no pending pods and an efficiency of at least 1 — in JSON and as a table.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { generalNodePool, nodeClass } from "../harness/lifecycle.js";
import { cleanupCapacity, deployment, podsIn, virtualNodes } from "../harness/provisioning.js";
import { scenario } from "../harness/scenario.js";
import type { StatusReport } from "../../src/cli/status-report.js";

const run = promisify(execFile);

scenario(
  "rafter status summarises pools, capacity, spend and efficiency",
  { needsRafter: true, timeoutMs: 240_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    // No consolidation while the scenario looks: the capacity it reports on stays put.
    const pool = generalNodePool(repoRoot, {
      disruption: { consolidationPolicy: "WhenEmpty", consolidateAfter: "Never" },
    });
    await cluster.kubectl.apply([...nodeClass(repoRoot), pool]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply([deployment("status-web", 6, { cpu: "700m", memory: "1Gi" })]);

    await eventually(
      "6 pods Running and every VirtualNode Ready",
      async () => {
        const pods = await podsIn(kubectl);
        const running = pods.filter((p) => p.spec.nodeName !== undefined && p.status.phase === "Running");
        const vns = await virtualNodes(cluster);
        return running.length === 6 && vns.length > 0 && vns.every((vn) => vn.status?.phase === "Ready");
      },
      180_000,
    );
    const vns = await virtualNodes(cluster);
    const prices = vns.reduce((sum, vn) => sum + Number(vn.status?.price ?? "0"), 0);

    const status = async (output: string): Promise<string> => {
      const { stdout, stderr } = await run(
        process.execPath,
        ["--import", "tsx", "src/cli/main.ts", "status", "--kubeconfig", cluster.kubeconfig, "-o", output],
        { cwd: repoRoot, timeout: 60_000 },
      );
      if (stderr !== "") t.log(`rafter status stderr: ${stderr.trim()}`);
      return stdout;
    };

    const report = JSON.parse(await status("json")) as StatusReport;
    const general = report.nodePools.find((p) => p.name === "default");
    assert.ok(general, "the NodePool is reported");
    assert.equal(general.weight, 10);
    assert.equal(general.ready.status, "True");
    assert.equal(general.nodes, vns.length, "one node per VirtualNode");
    assert.equal(report.totals.rafterNodes, vns.length);
    assert.equal(report.totals.liveVirtualNodes, vns.length);
    assert.ok(Math.abs(report.totals.hourlyCost - prices) < 1e-9, "spend is the VirtualNodes' prices");
    assert.ok(Math.abs(general.hourlyCost - prices) < 1e-9, "the pool's spend is its VirtualNodes' prices");
    assert.deepEqual(report.inFlight, [], "nothing in flight");
    assert.equal(report.totals.pendingPods, 0);
    assert.equal(report.efficiency.pods, 6);
    assert.ok(
      report.efficiency.lowerBound !== undefined && report.efficiency.lowerBound > 0,
      "a lower bound",
    );
    assert.ok(
      report.efficiency.ratio !== undefined && report.efficiency.ratio >= 1 - 1e-9,
      `efficiency ${report.efficiency.ratio} is at least 1`,
    );

    const table = await status("table");
    t.log(`rafter status:\n${table}`);
    const row = table.split("\n").find((l) => l.startsWith("default "));
    assert.ok(row, "the table has a row for the NodePool");
    assert.match(row, new RegExp(`\\s${vns.length}\\s`), "the row shows the node count");
    assert.ok(row.trimEnd().endsWith(prices.toFixed(4)), "the row shows the pool's $/h");
    assert.match(table, new RegExp(`spend:\\s+\\$${prices.toFixed(4)}/h`));
    assert.match(table, /pending pods:\s+0\n/);
    assert.match(table, /EFFICIENCY\n\s+\d+\.\d\dx\s+\(spend/);
  },
);
