// The Helm chart installs into the real control plane. Every object of the chart is created by
// `helm install` (with the e2e admin kubeconfig); the Deployments are installed with zero replicas:
// their pods need a container runtime and the kwok "kubelets" here only pretend to run containers, so
// a rafter pod would be a fake, and a second, fake leader. What "provisions a pod" can honestly mean
// here: the rafter the harness runs is bound by the chart's RBAC (the ClusterRole/Bindings the
// harness applied from manifests/rbac are adopted by the release, --take-ownership, and after the
// install they are the chart's objects), serves the chart's CRDs, and provisions a pod through them.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { applyNodePools, cleanupCapacity, deployment } from "../harness/provisioning.js";
import { podsRunning } from "../harness/lifecycle.js";
import { scenario } from "../harness/scenario.js";

const run = promisify(execFile);

scenario(
  "helm install charts/rafter creates the chart's objects; rafter provisions a pod under its RBAC and CRDs",
  { needsRafter: true, timeoutMs: 1_800_000 },
  async (t) => {
    const { cluster, kubectl, repoRoot, defer, log } = t;
    // Built from its Go module on a cold cache (minutes), reused afterwards.
    const installed = await run(join(repoRoot, "scripts/install-helm.sh"), [], { maxBuffer: 16 << 20 });
    const helm = installed.stdout.trim().split("\n").at(-1) ?? "helm";
    const helmArgs = (...args: string[]): string[] => [...args, "--kubeconfig", cluster.kubeconfig];
    const install = await run(
      helm,
      helmArgs(
        "install",
        "rafter",
        join(repoRoot, "charts/rafter"),
        "--namespace",
        "kube-system",
        "--take-ownership",
        "--set",
        "rafter.replicas=0",
        "--set",
        "secondScheduler.replicas=0",
        "--set",
        "settings.cluster-name=e2e",
      ),
    );
    log(`helm install:\n${install.stdout.trim()}`);
    defer(async () => {
      // Uninstalling deletes the adopted RBAC: give the harness' rafter its manifests/rbac back.
      await run(helm, helmArgs("uninstall", "rafter", "--namespace", "kube-system", "--wait"));
      await cluster.kubectl.run(["apply", "-f", join(repoRoot, "manifests/rbac")]);
    });
    assert.match(install.stdout, /STATUS: deployed/);

    const system = cluster.kubectl.in("kube-system");
    for (const [kind, name] of [
      ["deployment", "rafter"],
      ["deployment", "rafter-scheduler"],
      ["service", "rafter"],
      ["poddisruptionbudget", "rafter"],
      ["configmap", "rafter-settings"],
      ["configmap", "rafter-scheduler-config"],
      ["serviceaccount", "rafter"],
      ["role", "rafter"],
    ] as const) {
      const object = await system.getJson<{ metadata: { annotations?: Record<string, string> } }>(kind, name);
      assert.equal(object.metadata.annotations?.["meta.helm.sh/release-name"], "rafter", `${kind}/${name}`);
    }
    const settings = await system.getJson<{ data: Record<string, string> }>("configmap", "rafter-settings");
    assert.equal(settings.data.RAFTER_CLUSTER_NAME, "e2e");
    const role = await cluster.kubectl.getJson<{ metadata: { annotations?: Record<string, string> } }>(
      "clusterrole",
      "rafter",
    );
    assert.equal(role.metadata.annotations?.["meta.helm.sh/release-name"], "rafter", "ClusterRole adopted");
    for (const crd of ["nodepools.rafter.dev", "ec2nodeclasses.rafter.dev", "virtualnodes.rafter.dev"])
      await cluster.kubectl.getJson("crd", crd);
    const manifest = await run(helm, helmArgs("get", "manifest", "rafter", "--namespace", "kube-system"));
    const kinds = [...manifest.stdout.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1] ?? "");
    log(`release rafter: ${kinds.length} objects (${[...new Set(kinds)].join(", ")}) + 3 CRDs from crds/`);

    // The harness' rafter, now under the chart's RBAC, provisions a pod.
    await applyNodePools(cluster, repoRoot, ["nodepool-general.yaml"]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply(deployment("after-helm", 1, { cpu: "500m", memory: "512Mi" }));
    const [pod] = await podsRunning(t, "after-helm", 1);
    const node = await cluster.kubectl.getJson<{ metadata: { labels: Record<string, string> } }>(
      "node",
      pod?.spec.nodeName ?? "",
    );
    assert.equal(node.metadata.labels["rafter.dev/nodepool"], "default");
    log(
      `pod ${pod?.metadata.name ?? ""} Running on ${pod?.spec.nodeName ?? ""} (rafter.dev/nodepool=default)`,
    );
  },
);
