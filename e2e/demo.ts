// `npm run demo [-- --keep] [-- --timeout 300] [-- --real-nodes]`: the README's first command. Brings
// the local cluster up, starts rafter against moto, applies the example EC2NodeClass and NodePools and
// 40 pods with mixed requests and constraints, follows them from pending to running through rafter's
// virtual nodes, prints `kubectl get virtualnodes,nodes` and the hourly cost, then tears everything
// down. With --keep the cluster stays up and the kubeconfig and kubectl command are printed.
// --real-nodes runs the same flow with real kubelets and containerd (e2e/node) and a workload sized
// for them.
import { readdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { startCluster, type Cluster } from "./cluster/cluster.js";
import { metricValue } from "./harness/metrics.js";
import { ensureToolchain } from "./cluster/toolchain.js";
import { rafterComplaints } from "./cluster/rafter-complaints.js";
import { follow } from "./demo/progress.js";
import { realNodeDemo } from "./demo/real-nodes.js";
import { demoWorkload } from "./demo/workload.js";
import { kwokManaged, loadExample } from "./harness/examples.js";
import { newRunDir, repoRoot } from "./paths.js";

const { values } = parseArgs({
  options: {
    keep: { type: "boolean", default: false },
    timeout: { type: "string", default: "300" },
    "real-nodes": { type: "boolean", default: false },
  },
});
const timeoutMs = Number(values.timeout) * 1000;
const out = (line = ""): void => {
  process.stdout.write(`${line}\n`);
};
const NAMESPACE = "demo";

async function demo(cluster: Cluster): Promise<boolean> {
  out("▶ starting rafter (cloud: aws → moto)");
  try {
    await cluster.rafter.start();
  } catch (error) {
    out(`✖ rafter did not start: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
  out(`  rafter ready: extender ${cluster.rafter.extenderUrl}, metrics ${cluster.rafter.metricsUrl}/metrics`);

  const real = values["real-nodes"] ? realNodeDemo(repoRoot, NAMESPACE) : undefined;
  const examples =
    real?.pools ??
    readdirSync(`${repoRoot}/manifests/examples`)
      .filter((f) => f.endsWith(".yaml"))
      .sort()
      .flatMap((f) => loadExample(repoRoot, f).map(kwokManaged));
  out(
    `▶ applying ${real ? "a real-node EC2NodeClass and NodePool" : "manifests/examples"} (${examples.map((o) => `${o.kind ?? "?"}/${o.metadata.name}`).join(", ")})`,
  );
  out((await cluster.kubectl.apply(examples)).trimEnd().replace(/^/gm, "  "));
  if (real) {
    out("▶ instances of that NodePool boot real nodes (containerd + kubelet from rafter's user data)");
    cluster.realNodes.watch({ maxNodes: 3 });
  }

  const workload = real?.workload ?? demoWorkload(NAMESPACE);
  const expected = workload.reduce((sum, d) => sum + (d.spec as { replicas: number }).replicas, 0);
  await cluster.kubectl.run(["create", "namespace", NAMESPACE]);
  out(
    `▶ applying ${workload.length} Deployments, ${expected} pods (${real ? "hello, api → real nodes" : "web, api, batch → spot, cache"})`,
  );
  await cluster.kubectl.apply(workload);

  const result = await follow(cluster.kubectl, NAMESPACE, expected, timeoutMs, out);
  out();
  out(`$ kubectl get virtualnodes,nodes`);
  out((await cluster.kubectl.run(["get", "virtualnodes,nodes"], { allowFailure: true })).stdout.trimEnd());
  out();
  const metrics = await cluster.rafter.metrics().catch(() => "");
  const lastPlan = metricValue(metrics, "rafter_plan_hourly_cost_dollars");
  const cost = result.last?.hourlyCost ?? 0;
  out(`hourly cost of the launched capacity: $${cost.toFixed(4)}/h (last plan: $${lastPlan.toFixed(4)}/h)`);
  if (real) {
    out(`$ kubectl logs -n ${NAMESPACE} deployment/hello`);
    const logs = await cluster.kubectl.run(["logs", "-n", NAMESPACE, "deployment/hello"], {
      allowFailure: true,
    });
    out(`  ${(logs.stdout || logs.stderr).trim()}`);
  }
  if (result.done) {
    out(`✔ all ${expected} pods running ${result.seconds.toFixed(1)}s after they were created`);
    return true;
  }
  out(
    `✖ not every pod was running after ${(timeoutMs / 1000).toFixed(0)}s (${result.last?.running ?? 0}/${expected} running)`,
  );
  const events = await cluster.kubectl.run(
    ["get", "events", "-n", NAMESPACE, "--field-selector=type=Warning", "--sort-by=.lastTimestamp"],
    { allowFailure: true },
  );
  out("  last warnings in the demo namespace:");
  const lastWarnings = events.stdout.trimEnd().split("\n").slice(-5);
  out(lastWarnings.map((l) => `    ${l.length > 220 ? `${l.slice(0, 219)}…` : l}`).join("\n"));
  out(
    `  rafter: ${cluster.rafter.running ? "running" : cluster.rafter.describe()}; log ${cluster.rafter.logFile}`,
  );
  const complaints = rafterComplaints(cluster.rafter.logFile);
  if (complaints.length > 0)
    out(`  rafter's warnings and errors:\n${complaints.map((c) => `    ${c}`).join("\n")}`);
  return false;
}

const toolchain = await ensureToolchain(repoRoot);
const dir = newRunDir("demo");
out(`▶ starting the local cluster in ${dir}`);
const cluster = await startCluster({
  repoRoot,
  toolchain,
  dir,
  log: (line) => {
    out(`  ${line}`);
  },
});
out(`  cluster up in ${cluster.timings.total?.toFixed(1) ?? "?"}s`);
let ok = false;
try {
  ok = await demo(cluster);
} catch (error) {
  out(`✖ demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  if (values.keep) {
    cluster.detach();
    out();
    out("The cluster keeps running:");
    out(`  export KUBECONFIG=${cluster.kubeconfig}`);
    out(`  ${cluster.kubectl.commandLine(["get", "virtualnodes,nodes,pods", "-A"])}`);
    out(`  logs: ${cluster.layout.logs}`);
    out(`  stop it with: node --import tsx e2e/down.ts ${cluster.layout.root}`);
  } else {
    out("▶ tearing down");
    await cluster.stop();
    if (!ok) out(`  component logs: ${cluster.layout.logs}`);
  }
}
process.exit(ok ? 0 : 1);
