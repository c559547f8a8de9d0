// Helpers for the real-node scenarios (4x): an EC2NodeClass whose instances boot real kubelets (the
// example class, renamed and tagged e2e.rafter.test/boot=real-node — the test's choice, never
// rafter's), a NodePool on it (no kwok annotation, so kwok leaves its Nodes alone), workloads on the
// locally built busybox image, and the booter started for the scenario and stopped after it.
import type { KubeObject } from "../cluster/kubectl.js";
import { REAL_NODE_TAG, type RealNode, type WatchOptions } from "../node/real-nodes.js";
import { loadExample } from "./examples.js";
import { cleanupCapacity, deploymentOf } from "./provisioning.js";
import type { ScenarioContext } from "./scenario.js";

export const REAL_NODE_CLASS = "real-node";

export interface RealNodeClassOptions {
  /** The EC2NodeClass's kubelet block (maxPods, systemReserved, kubeReserved, evictionHard). */
  readonly kubelet?: Readonly<Record<string, unknown>>;
}

export function realNodeClass(repoRoot: string, options: RealNodeClassOptions = {}): KubeObject {
  const [example] = loadExample(repoRoot, "ec2nodeclass.yaml");
  if (example === undefined) throw new Error("manifests/examples/ec2nodeclass.yaml is empty");
  const spec = (example as KubeObject & { spec: Record<string, unknown> }).spec;
  return {
    ...example,
    metadata: { name: REAL_NODE_CLASS },
    spec: {
      ...spec,
      tags: { ...(spec.tags as Record<string, string>), [REAL_NODE_TAG.key]: REAL_NODE_TAG.value },
      ...(options.kubelet ? { kubelet: options.kubelet } : {}),
    },
  };
}

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
}

export interface RealNodePoolOptions {
  readonly labels?: Readonly<Record<string, string>>;
  readonly taints?: readonly Taint[];
  readonly startupTaints?: readonly Taint[];
}

/** One small amd64 on-demand node at a time (the image is amd64 busybox; the machine has 2 cores). */
export function realNodePool(name: string, options: RealNodePoolOptions = {}): KubeObject {
  return {
    apiVersion: "rafter.dev/v1",
    kind: "NodePool",
    metadata: { name },
    spec: {
      template: {
        metadata: { labels: { ...options.labels } },
        spec: {
          nodeClassRef: { group: "rafter.dev", kind: "EC2NodeClass", name: REAL_NODE_CLASS },
          requirements: [
            { key: "rafter.dev/capacity-type", operator: "In", values: ["on-demand"] },
            { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
            { key: "rafter.dev/instance-category", operator: "In", values: ["c", "m"] },
            { key: "rafter.dev/instance-generation", operator: "Gt", values: ["4"] },
          ],
          ...(options.taints ? { taints: options.taints } : {}),
          ...(options.startupTaints ? { startupTaints: options.startupTaints } : {}),
        },
      },
      disruption: { consolidationPolicy: "WhenEmpty", consolidateAfter: "10m" },
      limits: { cpu: "64" },
    },
  };
}

export const APP_IMAGE = "local/app:1";

export interface AppOptions {
  readonly cpu?: string;
  readonly memory?: string;
  readonly extraResources?: Readonly<Record<string, string>>;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly Record<string, string>[];
}

/** A Deployment of the busybox app image (prints a line, then sleeps); never pulled. */
export function appDeployment(name: string, replicas: number, options: AppOptions = {}): KubeObject {
  const requests = {
    cpu: options.cpu ?? "100m",
    memory: options.memory ?? "64Mi",
    ...options.extraResources,
  };
  return deploymentOf(
    name,
    replicas,
    {
      name: "main",
      image: APP_IMAGE,
      imagePullPolicy: "Never",
      resources: { requests, ...(options.extraResources ? { limits: options.extraResources } : {}) },
      readinessProbe: { exec: { command: ["true"] }, periodSeconds: 1 },
    },
    {
      ...(options.nodeSelector ? { nodeSelector: options.nodeSelector } : {}),
      ...(options.tolerations ? { tolerations: options.tolerations } : {}),
    },
  );
}

export interface PodStatusJson {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { ready: boolean; state?: { running?: { startedAt?: string } } }[];
  };
}

export function podReady(pod: PodStatusJson): boolean {
  return (
    pod.status.phase === "Running" &&
    (pod.status.containerStatuses ?? []).length > 0 &&
    (pod.status.containerStatuses ?? []).every((c) => c.ready)
  );
}

export interface BootedNodes {
  readonly nodes: () => RealNode[];
  /** The first node to boot; fails at once with the reason when an instance could not boot. */
  readonly first: (timeoutMs?: number) => Promise<RealNode>;
}

/** Starts booting real nodes for this scenario; stops watching (and every node) after it. */
export function useRealNodes(t: ScenarioContext, options: WatchOptions = {}): BootedNodes {
  const realNodes = t.cluster.realNodes;
  const refusedBefore = new Set(realNodes.refusals().keys());
  const stopWatching = realNodes.watch(options);
  t.defer(async () => {
    await stopWatching();
    for (const node of realNodes.list()) await realNodes.stopNode(node.instanceId);
  });
  return {
    nodes: () => realNodes.list(),
    first: async (timeoutMs = 60_000) => {
      type Outcome = { readonly node: RealNode } | { readonly refused: string };
      const outcome = await t.eventually<Outcome>(
        "a real node to boot",
        () => {
          const refused = [...realNodes.refusals()].find(([id]) => !refusedBefore.has(id));
          const node = realNodes.list()[0];
          if (refused)
            return Promise.resolve({ refused: `instance ${refused[0]} did not boot: ${refused[1]}` });
          return Promise.resolve(node ? { node } : undefined);
        },
        timeoutMs,
      );
      if ("refused" in outcome) throw new Error(outcome.refused);
      return outcome.node;
    },
  };
}

/**
 * The usual start of a real-node scenario: the real-node EC2NodeClass and `pool` (by default the
 * plain NodePool "real"), its instances booting as real nodes one at a time, and rafter's capacity
 * cleaned up afterwards.
 */
export async function startRealNodes(
  t: ScenarioContext,
  pool: KubeObject = realNodePool("real"),
): Promise<BootedNodes> {
  const booted = useRealNodes(t, { maxNodes: 1 });
  await t.cluster.kubectl.apply([realNodeClass(t.repoRoot), pool]);
  t.defer(() => cleanupCapacity(t.cluster, t.namespace));
  return booted;
}
