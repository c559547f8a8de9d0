// Controller memory, as a benchmark figure: rafter, run as the container image runs it (the compiled
// dist/ with the Dockerfile ENTRYPOINT's node flags) and restarted so that its peak is this
// scenario's, with 300 nodes in the cluster (kwok, running 600 pods) provisions capacity for 1 000
// pending pods. Prints rafter's resident set before the burst, its peak (VmHWM) and its heap as JSON.
// The goal is Karpenter's own threshold of 260 MB; the assertion is a looser regression guard
// (1.5x the goal), the figure is what matters.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildDist } from "../cluster/image-command.js";
import { generalNodePool, nodeClass } from "../harness/lifecycle.js";
import { kwokNode } from "../harness/nodes.js";
import { cleanupCapacity, deployment } from "../harness/provisioning.js";
import { scenario } from "../harness/scenario.js";

const existingNodes = 300;
const runningPods = 600;
const pendingPods = 1000;
const goalMb = 260;

interface PodList {
  items: { spec: { nodeName?: string }; status: { phase?: string } }[];
}

/** VmHWM (peak) and VmRSS of a process, in MB. */
function memoryOf(pid: number): { peakMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { peakMb: Math.round(kb("VmHWM") / 1024), rssMb: Math.round(kb("VmRSS") / 1024) };
}

/** Heap used and committed (all spaces), in MB, from rafter's metrics (prom-client's defaults). */
function heapOf(metrics: string): { usedMb: number; totalMb: number } {
  const sum = (name: string) =>
    [...metrics.matchAll(new RegExp(`^rafter_nodejs_heap_space_size_${name}_bytes\\{[^}]*\\} (\\d+)`, "gm"))]
      .map((m) => Number(m[1]))
      .reduce((a, b) => a + b, 0);
  return { usedMb: Math.round(sum("used") / 2 ** 20), totalMb: Math.round(sum("total") / 2 ** 20) };
}

scenario(
  "controller memory with 300 nodes and 1 000 pending pods",
  { needsRafter: true, timeoutMs: 600_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    await buildDist(repoRoot);
    const previousBuild = cluster.rafter.build;
    cluster.rafter.build = "image";
    defer(async () => {
      cluster.rafter.build = previousBuild;
      await cluster.rafter.restart();
    });
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
    const beforeBurst = memoryOf(pid);
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
    const heap = heapOf(await cluster.rafter.metrics());
    t.log(
      `rafter with ${existingNodes} existing nodes, ${runningPods} running and ${pendingPods} provisioned pods ` +
        `(bound in ${seconds.toFixed(1)}s): RSS ${beforeBurst.rssMb} MB before the burst, peak ${memory.peakMb} MB, ` +
        `now ${memory.rssMb} MB (goal ≤ ${goalMb} MB); heap used ${heap.usedMb} of ${heap.totalMb} MB`,
    );
    t.log(
      JSON.stringify({
        benchmark: "controller-memory",
        nodes: existingNodes,
        runningPods,
        pendingPods,
        rssBeforeBurstMb: beforeBurst.rssMb,
        peakRssMb: memory.peakMb,
        rssMb: memory.rssMb,
        heapUsedMb: heap.usedMb,
        heapTotalMb: heap.totalMb,
        goalMb,
        goalMet: memory.peakMb <= goalMb,
      }),
    );
    assert.ok(
      memory.peakMb <= 1.5 * goalMb,
      `peak RSS ${memory.peakMb} MB stays under 1.5x the ${goalMb} MB goal`,
    );
  },
);
