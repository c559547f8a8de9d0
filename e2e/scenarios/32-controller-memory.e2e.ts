// Controller memory, as a benchmark figure: rafter (restarted, so its peak is this scenario's) with
// 300 nodes in the cluster (kwok, running 600 pods) provisions capacity for 1 000 pending pods. Prints
// rafter's peak resident set (VmHWM) and its resident set at the end as JSON. The goal is Karpenter's
// own threshold of 260 MB; the assertion only bounds it loosely (rafter runs here from TypeScript
// sources through tsx, which the built image does not carry), the figure is what matters.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { generalNodePool, nodeClass } from "../harness/lifecycle.js";
import { kwokNode } from "../harness/nodes.js";
import { cleanupCapacity, deployment } from "../harness/provisioning.js";
import { scenario } from "../harness/scenario.js";

const existingNodes = 300;
const runningPods = 600;
const pendingPods = 1000;

interface PodList {
  items: { spec: { nodeName?: string }; status: { phase?: string } }[];
}

/** VmHWM (peak) and VmRSS of a process, in MB. */
function memoryOf(pid: number): { peakMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { peakMb: Math.round(kb("VmHWM") / 1024), rssMb: Math.round(kb("VmRSS") / 1024) };
}

scenario(
  "controller memory with 300 nodes and 1 000 pending pods",
  { needsRafter: true, timeoutMs: 600_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    await cluster.rafter.restart();
    const pid = cluster.rafter.pid;
    assert.ok(pid !== undefined, "rafter runs");
    const names = Array.from({ length: existingNodes }, (_, i) => `mem-${String(i).padStart(3, "0")}`);
    defer(async () => {
      await cluster.kubectl.run(["delete", "nodes", "-l", "rafter-e2e/memory=true", "--wait=false"], {
        allowFailure: true,
      });
    });
    await cluster.kubectl.apply(
      names.map((name) =>
        kwokNode(name, { cpu: "2", memory: "8Gi", labels: { "rafter-e2e/memory": "true" } }),
      ),
    );
    await cluster.kubectl.apply([...nodeClass(repoRoot), generalNodePool(repoRoot)]);
    defer(() => cleanupCapacity(cluster, t.namespace));

    // Existing nodes take the running pods; the pending ones may only go to the NodePool's nodes.
    await kubectl.apply(
      deployment(
        "resident",
        runningPods,
        { cpu: "500m", memory: "1Gi" },
        { nodeSelector: { "rafter-e2e/memory": "true" } },
      ),
    );
    await eventually(
      `${runningPods} resident pods Running on the existing nodes`,
      async () => {
        const pods = await kubectl.getJson<PodList>("pods", undefined, ["-l=app=resident", "-o=json"]);
        return pods.items.filter((p) => p.status.phase === "Running").length === runningPods;
      },
      300_000,
    );
    const started = Date.now();
    await kubectl.apply(
      deployment(
        "pending",
        pendingPods,
        { cpu: "250m", memory: "512Mi" },
        { nodeSelector: { "workload-class": "general" } },
      ),
    );
    await eventually(
      `${pendingPods} pending pods bound`,
      async () => {
        const pods = await kubectl.getJson<PodList>("pods", undefined, ["-l=app=pending", "-o=json"]);
        return pods.items.filter((p) => p.spec.nodeName !== undefined).length === pendingPods;
      },
      360_000,
    );
    const seconds = (Date.now() - started) / 1000;
    const memory = memoryOf(pid);
    t.log(
      `rafter with ${existingNodes} existing nodes, ${runningPods} running and ${pendingPods} provisioned pods ` +
        `(bound in ${seconds.toFixed(1)}s): peak RSS ${memory.peakMb} MB, RSS now ${memory.rssMb} MB (goal ≤ 260 MB)`,
    );
    t.log(
      JSON.stringify({
        benchmark: "controller-memory",
        nodes: existingNodes,
        runningPods,
        pendingPods,
        peakRssMb: memory.peakMb,
        rssMb: memory.rssMb,
      }),
    );
    assert.ok(memory.peakMb < 1024, `peak RSS ${memory.peakMb} MB stays under 1 GiB`);
  },
);
