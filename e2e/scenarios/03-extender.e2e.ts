// kube-scheduler calls rafter's extender with its real JSON: a pod scheduled onto an existing kwok node
// goes through rafter's filter and bind verbs, which rafter records in
// rafter_extender_requests_total{verb="filter"|"bind"}. kube-scheduler's configuration marks the
// extender ignorable, so a failing extender would be skipped silently: its log is checked too.
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { metricValue } from "../harness/metrics.js";
import { kwokNode, pod } from "../harness/nodes.js";
import { scenario } from "../harness/scenario.js";

interface NodeJson {
  status?: { conditions?: { type: string; status: string }[] };
}
interface PodJson {
  spec: { nodeName?: string };
  status: { phase?: string };
}

const METRIC = "rafter_extender_requests_total";

scenario("kube-scheduler calls rafter's filter and bind verbs", { needsRafter: true }, async (t) => {
  const { cluster, kubectl, eventually, defer } = t;
  const nodeName = `e2e-extender-${Math.random().toString(36).slice(2, 7)}`;
  await cluster.kubectl.apply(kwokNode(nodeName, { cpu: "4", memory: "8Gi" }));
  defer(() => cluster.kubectl.delete("node", nodeName, ["--wait=false"]));
  await eventually(
    `node ${nodeName} Ready (kwok)`,
    async () => {
      const node = await cluster.kubectl.getJson<NodeJson>("node", nodeName);
      return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
    },
    30_000,
  );

  const schedulerLog = `${cluster.layout.logs}/kube-scheduler.log`;
  const logOffset = statSync(schedulerLog).size;
  const before = await cluster.rafter.metrics();
  const filterBefore = metricValue(before, METRIC, { verb: "filter" });
  const bindBefore = metricValue(before, METRIC, { verb: "bind" });

  await kubectl.apply(
    pod("web", { cpu: "500m", memory: "256Mi", nodeSelector: { "kubernetes.io/hostname": nodeName } }),
  );
  const placed = await eventually(
    "the pod bound to the kwok node and running",
    async () => {
      const p = await kubectl.getJson<PodJson>("pod", "web");
      return p.spec.nodeName !== undefined && p.status.phase === "Running" ? p : undefined;
    },
    60_000,
  );
  assert.equal(placed.spec.nodeName, nodeName);

  const after = await eventually(
    "rafter to record the filter and bind calls",
    async () => {
      const text = await cluster.rafter.metrics();
      const filter = metricValue(text, METRIC, { verb: "filter" }) - filterBefore;
      const bind = metricValue(text, METRIC, { verb: "bind" }) - bindBefore;
      return filter >= 1 && bind >= 1 ? { filter, bind } : undefined;
    },
    15_000,
  );
  t.log(`extender calls for the pod: filter +${after.filter}, bind +${after.bind}`);

  const newLog = readFileSync(schedulerLog, "utf8").slice(logOffset);
  const skipped = newLog.split("\n").filter((line) => /Skipping extender|extender.*error/i.test(line));
  assert.deepEqual(skipped, [], "kube-scheduler skipped or failed rafter's extender");
});

scenario("kube-scheduler runs manifests/scheduler's configuration", ({ cluster, repoRoot }) => {
  interface Config {
    clientConnection?: { kubeconfig?: string };
    extenders?: Record<string, unknown>[];
  }
  const read = (path: string): Config => parse(readFileSync(path, "utf8")) as Config;
  const shipped = read(join(repoRoot, "manifests", "scheduler", "kube-scheduler-config.yaml"));
  const running = read(join(cluster.layout.config, "kube-scheduler-config.yaml"));
  const extender = shipped.extenders?.[0] ?? {};
  assert.deepEqual(
    {
      filterVerb: extender.filterVerb,
      prioritizeVerb: extender.prioritizeVerb,
      bindVerb: extender.bindVerb,
      preemptVerb: extender.preemptVerb,
      nodeCacheCapable: extender.nodeCacheCapable,
      enableHTTPS: extender.enableHTTPS,
    },
    {
      filterVerb: "filter",
      prioritizeVerb: "prioritize",
      bindVerb: "bind",
      preemptVerb: "preempt",
      nodeCacheCapable: true,
      enableHTTPS: true,
    },
  );
  assert.ok(Number(extender.weight) > 0, "prioritize needs a positive weight");
  // only the extender's address, its CA file and the client kubeconfig differ
  const strip = (config: Config): Config => {
    const copy = structuredClone(config);
    delete copy.clientConnection?.kubeconfig;
    for (const e of copy.extenders ?? []) {
      delete e.urlPrefix;
      delete (e.tlsConfig as { caFile?: string } | undefined)?.caFile;
    }
    return copy;
  };
  assert.deepEqual(strip(running), strip(shipped));
});
