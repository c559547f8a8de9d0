// kube-scheduler's own calls reach rafter's filter, prioritize and bind (asserted from rafter's
// metrics, the binding's pending-to-bound time included) when several nodes are feasible; and with rafter stopped, the extender being `ignorable`
// lets scheduling continue with kube-scheduler's own binding.
import assert from "node:assert/strict";
import { metricValue } from "../harness/metrics.js";
import { kwokNode, pod } from "../harness/nodes.js";
import { scenario } from "../harness/scenario.js";

const METRIC = "rafter_extender_requests_total";

interface PodJson {
  spec: { nodeName?: string };
  status: { phase?: string };
}

scenario(
  "filter, prioritize and bind are called; an ignorable extender can be down",
  { needsRafter: true, timeoutMs: 180_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer } = t;
    const suffix = Math.random().toString(36).slice(2, 7);
    const names = [`e2e-verbs-a-${suffix}`, `e2e-verbs-b-${suffix}`];
    await cluster.kubectl.apply(names.map((name) => kwokNode(name, { cpu: "8", memory: "16Gi" })));
    defer(() =>
      cluster.kubectl.run(["delete", "node", ...names, "--wait=true", "--timeout=60s"], {
        allowFailure: true,
      }),
    );
    defer(async () => {
      if (!cluster.rafter.running) await cluster.rafter.start();
    });
    const selector = { "e2e-verbs": suffix };
    await cluster.kubectl.run(["label", "node", ...names, `e2e-verbs=${suffix}`]);
    await eventually("both kwok nodes Ready", async () => {
      const nodes = await cluster.kubectl.getJson<{
        items: { status?: { conditions?: { type: string; status: string }[] } }[];
      }>("nodes", undefined, [`-l=e2e-verbs=${suffix}`]);
      return (
        nodes.items.length === 2 &&
        nodes.items.every((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
      );
    });

    const before = await cluster.rafter.metrics();
    await kubectl.apply(pod("two-choices", { cpu: "100m", memory: "64Mi", nodeSelector: selector }));
    await eventually("pod running", async () => {
      const p = await kubectl.getJson<PodJson>("pod", "two-choices");
      return p.status.phase === "Running" && p.spec.nodeName !== undefined;
    });
    const calls = await eventually("filter, prioritize and bind recorded", async () => {
      const after = await cluster.rafter.metrics();
      const delta = (verb: string) =>
        metricValue(after, METRIC, { verb }) - metricValue(before, METRIC, { verb });
      const counts = {
        filter: delta("filter"),
        prioritize: delta("prioritize"),
        bind: delta("bind"),
        // kube-scheduler's binding through the bind verb counts in the pending-to-bound histogram too.
        pendingToBound:
          metricValue(after, "rafter_pod_pending_to_bound_seconds_count") -
          metricValue(before, "rafter_pod_pending_to_bound_seconds_count"),
      };
      return Object.values(counts).every((n) => n >= 1) ? counts : undefined;
    });
    t.log(`extender calls: ${JSON.stringify(calls)}`);

    await cluster.rafter.stop();
    await kubectl.apply(pod("rafter-down", { cpu: "100m", memory: "64Mi", nodeSelector: selector }));
    const placed = await eventually(
      "pod scheduled while rafter is down",
      async () => {
        const p = await kubectl.getJson<PodJson>("pod", "rafter-down");
        return p.spec.nodeName;
      },
      60_000,
    );
    assert.ok(names.includes(placed), "scheduled onto one of the kwok nodes");
    await cluster.rafter.start();
  },
);
