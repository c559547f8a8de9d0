// manifests/ deploys as it is: the kustomize base (CRDs, RBAC, rafter's Deployment, Service and PDB, the
// second scheduler) and the examples build with kubectl's kustomize and pass the real API server's
// validation and admission (server-side dry run); the second scheduler's configuration, run by the real
// kube-scheduler under the base's rafter-scheduler ServiceAccount, schedules a pod of its own
// schedulerName through rafter's filter and bind verbs and holds its Lease.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { writeKubeconfig } from "../cluster/kubeconfig.js";
import { freePort, waitForHttpOk } from "../cluster/net.js";
import { Supervisor } from "../cluster/process.js";
import { renderSchedulerConfig } from "../cluster/scheduler.js";
import { metricValue } from "../harness/metrics.js";
import { kwokNode, pod } from "../harness/nodes.js";
import { scenario } from "../harness/scenario.js";

interface BuiltObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
}
interface SchedulerConfig {
  leaderElection?: { resourceName?: string };
  profiles?: { schedulerName: string }[];
  extenders?: Record<string, unknown>[];
}

const built = (yamlText: string): BuiltObject[] =>
  parseAllDocuments(yamlText)
    .map((doc) => doc.toJS() as BuiltObject | null)
    .filter((o): o is BuiltObject => o !== null);

const names = (objects: readonly BuiltObject[]): string[] =>
  objects.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, "")}`).sort();

/** The extenders with the two fields a cluster changes (where rafter is, which CA signed it) removed. */
const extendersWithoutAddress = (config: SchedulerConfig): Record<string, unknown>[] =>
  (config.extenders ?? []).map((extender) => {
    const { urlPrefix: _url, tlsConfig, ...rest } = extender as { urlPrefix?: unknown; tlsConfig?: object };
    const { caFile: _ca, ...tls } = (tlsConfig ?? {}) as { caFile?: unknown };
    return { ...rest, tlsConfig: tls };
  });

scenario("the kustomize base, the examples and the cert-manager component build", async (t) => {
  const { cluster, repoRoot, defer } = t;
  const manifests = join(repoRoot, "manifests");
  const base = built((await cluster.kubectl.run(["kustomize", manifests])).stdout);
  const expected = [
    "ClusterRole/rafter",
    "ClusterRoleBinding/rafter",
    "ClusterRoleBinding/rafter-scheduler:kube-scheduler",
    "ClusterRoleBinding/rafter-scheduler:volume-scheduler",
    "ConfigMap/rafter-scheduler-config",
    "ConfigMap/rafter-settings",
    "CustomResourceDefinition/ec2nodeclasses.rafter.dev",
    "CustomResourceDefinition/nodepools.rafter.dev",
    "CustomResourceDefinition/virtualnodes.rafter.dev",
    "Deployment/rafter",
    "Deployment/rafter-scheduler",
    "PodDisruptionBudget/rafter",
    "PodDisruptionBudget/rafter-scheduler",
    "Role/rafter",
    "Role/rafter-scheduler:leader-election",
    "RoleBinding/rafter",
    "RoleBinding/rafter-scheduler:extension-apiserver-authentication-reader",
    "RoleBinding/rafter-scheduler:leader-election",
    "Service/rafter",
    "ServiceAccount/rafter",
    "ServiceAccount/rafter-scheduler",
  ];
  assert.deepEqual(names(base), expected);
  for (const object of base)
    if (!object.kind.startsWith("Cluster") && object.kind !== "CustomResourceDefinition")
      assert.equal(object.metadata.namespace, "kube-system", `${object.kind}/${object.metadata.name}`);

  // The second scheduler's ConfigMap carries the shipped extender configuration, the one the e2e
  // kube-scheduler runs with (scenario 03 compares that one with manifests/scheduler's file).
  const configMap = base.find(
    (o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("rafter-scheduler-"),
  );
  const second = parse(configMap?.data?.["kube-scheduler-config.yaml"] ?? "") as SchedulerConfig;
  const running = parse(
    readFileSync(join(cluster.layout.config, "kube-scheduler-config.yaml"), "utf8"),
  ) as SchedulerConfig;
  assert.deepEqual(extendersWithoutAddress(second), extendersWithoutAddress(running));
  assert.deepEqual(second.profiles, [{ schedulerName: "rafter-scheduler" }]);

  const examples = built((await cluster.kubectl.run(["kustomize", join(manifests, "examples")])).stdout);
  assert.deepEqual(names(examples), [
    "EC2NodeClass/default",
    "NodePool/default",
    "NodePool/gpu",
    "NodePool/spot",
  ]);

  // An operator's overlay: the base plus the cert-manager component (paths must be relative).
  const overlay = mkdtempSync(join(cluster.layout.data, "overlay-"));
  defer(() => rm(overlay, { recursive: true, force: true }));
  writeFileSync(
    join(overlay, "kustomization.yaml"),
    stringify({
      resources: [relative(overlay, manifests)],
      components: [relative(overlay, join(manifests, "components", "cert-manager"))],
    }),
  );
  const withCerts = built((await cluster.kubectl.run(["kustomize", overlay])).stdout);
  const certificates = withCerts.filter((o) => o.kind === "Certificate").map((o) => o.metadata.name);
  assert.deepEqual(certificates.sort(), ["rafter-ca", "rafter-tls"]);
});

scenario("the base and the examples pass server-side dry runs", async ({ cluster, repoRoot, log }) => {
  for (const dir of ["manifests", join("manifests", "examples")]) {
    const result = await cluster.kubectl.run(["apply", "--dry-run=server", "-k", join(repoRoot, dir)], {
      allowFailure: true,
    });
    assert.equal(result.code, 0, `kubectl apply --dry-run=server -k ${dir}: ${result.stderr}`);
    log(`${dir}: ${result.stdout.trim().split("\n").length} objects accepted (dry run)`);
  }
});

scenario(
  "the second scheduler schedules its pods through rafter under its own ServiceAccount",
  { needsRafter: true },
  async (t) => {
    const { cluster, kubectl, repoRoot, eventually, defer, log } = t;
    const dir = mkdtempSync(join(cluster.layout.data, "second-scheduler-"));
    defer(() => rm(dir, { recursive: true, force: true }));

    // Its identity: a token of the base's ServiceAccount, limited by manifests/rbac/scheduler.yaml.
    const token = (
      await cluster.kubectl.run(["create", "token", "rafter-scheduler", "-n", "kube-system", "--duration=1h"])
    ).stdout.trim();
    const kubeconfig = join(dir, "kubeconfig");
    writeKubeconfig(kubeconfig, cluster.apiServerUrl, cluster.caFile, {
      user: "system:serviceaccount:kube-system:rafter-scheduler",
      token,
      groups: [],
    });
    // The shipped file with the substitutions the e2e kube-scheduler gets (where rafter listens, its CA,
    // a kubeconfig instead of the in-cluster configuration).
    const configFile = join(dir, "kube-scheduler-config.yaml");
    writeFileSync(
      configFile,
      renderSchedulerConfig({
        configTemplate: join(repoRoot, "manifests", "second-scheduler", "kube-scheduler-config.yaml"),
        kubeconfig,
        extenderUrl: cluster.rafter.extenderUrl,
        caFile: cluster.caFile,
      }),
    );

    const supervisor = new Supervisor();
    const port = await freePort();
    const scheduler = supervisor.start({
      name: "rafter-scheduler",
      command: join(dirname(cluster.kubectl.binary), "kube-scheduler"),
      args: [
        `--config=${configFile}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${port}`,
        "--v=2",
      ],
      logFile: cluster.layout.log("rafter-scheduler"),
    });
    defer(() => supervisor.stopAll(5_000));
    defer(() => cluster.kubectl.in("kube-system").delete("lease", "rafter-scheduler"));
    await waitForHttpOk(
      "second kube-scheduler /readyz",
      `https://127.0.0.1:${port}/readyz`,
      { insecure: true },
      { timeoutMs: 60_000, process: scheduler },
    );

    const holder = await eventually(
      "the second scheduler to hold the Lease kube-system/rafter-scheduler",
      async () => {
        const lease = await cluster.kubectl
          .in("kube-system")
          .find<{ spec?: { holderIdentity?: string } }>("lease", "rafter-scheduler");
        return lease?.spec?.holderIdentity;
      },
      30_000,
    );
    log(`Lease kube-system/rafter-scheduler held by ${holder}`);

    const nodeName = `e2e-second-${Math.random().toString(36).slice(2, 7)}`;
    await cluster.kubectl.apply(kwokNode(nodeName, { cpu: "4", memory: "8Gi" }));
    defer(() => cluster.kubectl.delete("node", nodeName, ["--wait=false"]));
    await eventually(
      `node ${nodeName} Ready (kwok)`,
      async () => {
        const node = await cluster.kubectl.getJson<{
          status?: { conditions?: { type: string; status: string }[] };
        }>("node", nodeName);
        return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
      },
      30_000,
    );

    const metric = "rafter_extender_requests_total";
    const before = await cluster.rafter.metrics();
    const bindBefore = metricValue(before, metric, { verb: "bind" });
    const filterBefore = metricValue(before, metric, { verb: "filter" });
    const object = pod("opt-in", { nodeSelector: { "kubernetes.io/hostname": nodeName } });
    (object.spec as { schedulerName?: string }).schedulerName = "rafter-scheduler";
    await kubectl.apply(object);

    await eventually(
      "the pod bound to the kwok node and running",
      async () => {
        const p = await kubectl.getJson<{ spec: { nodeName?: string }; status: { phase?: string } }>(
          "pod",
          "opt-in",
        );
        return p.spec.nodeName === nodeName && p.status.phase === "Running";
      },
      60_000,
    );
    const scheduled = await eventually("the Scheduled event of rafter-scheduler", async () => {
      const events = await kubectl.list<{
        reason?: string;
        reportingComponent?: string;
        source?: { component?: string };
      }>("events");
      return events.find(
        (e) =>
          e.reason === "Scheduled" &&
          (e.reportingComponent === "rafter-scheduler" || e.source?.component === "rafter-scheduler"),
      );
    });
    assert.ok(scheduled);
    const calls = await eventually(
      "rafter to record the filter and bind calls",
      async () => {
        const text = await cluster.rafter.metrics();
        const filter = metricValue(text, metric, { verb: "filter" }) - filterBefore;
        const bind = metricValue(text, metric, { verb: "bind" }) - bindBefore;
        return filter >= 1 && bind >= 1 ? { filter, bind } : undefined;
      },
      15_000,
    );
    log(`extender calls from the second scheduler: filter +${calls.filter}, bind +${calls.bind}`);

    const schedulerLog = readFileSync(cluster.layout.log("rafter-scheduler"), "utf8");
    const problems = schedulerLog
      .split("\n")
      .filter((line) => /Skipping extender|extender.*error|forbidden/i.test(line));
    assert.deepEqual(problems, [], "the second scheduler skipped rafter, failed a call or was refused");
  },
);
