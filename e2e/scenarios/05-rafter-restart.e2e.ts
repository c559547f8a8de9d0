// The harness can crash rafter (SIGKILL) and start it again on the same ports: the extender port is
// released at once, and after the restart kube-scheduler's extender calls reach the new process.
import assert from "node:assert/strict";
import { portInUse } from "../cluster/net.js";
import { metricValue } from "../harness/metrics.js";
import { kwokNode, pod } from "../harness/nodes.js";
import { scenario } from "../harness/scenario.js";

scenario("rafter survives SIGKILL and a restart", { needsRafter: true }, async (t) => {
  const { cluster, kubectl, eventually, defer } = t;
  const oldPid = cluster.rafter.pid;
  const exit = await cluster.rafter.kill("SIGKILL");
  assert.equal(exit?.signal, "SIGKILL");
  assert.equal(cluster.rafter.running, false);
  const port = Number(new URL(cluster.rafter.extenderUrl).port);
  assert.equal(await portInUse(port), false, "the extender port is free after the crash");

  await cluster.rafter.start();
  assert.notEqual(cluster.rafter.pid, oldPid);

  const nodeName = `e2e-restart-${Math.random().toString(36).slice(2, 7)}`;
  await cluster.kubectl.apply(kwokNode(nodeName));
  defer(() => cluster.kubectl.delete("node", nodeName, ["--wait=false"]));
  await kubectl.apply(pod("after-restart", { nodeSelector: { "kubernetes.io/hostname": nodeName } }));
  await eventually(
    "the pod bound through the restarted rafter",
    async () => {
      const text = await cluster.rafter.metrics();
      const bound = (await kubectl.getJson<{ spec: { nodeName?: string } }>("pod", "after-restart")).spec
        .nodeName;
      return bound === nodeName && metricValue(text, "rafter_extender_requests_total", { verb: "bind" }) >= 1;
    },
    60_000,
  );
});
