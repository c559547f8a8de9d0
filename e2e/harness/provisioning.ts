import assert from "node:assert/strict";
// Helpers for provisioning scenarios: apply the example NodePools (kwok-managed), build Deployments,
// read VirtualNodes and the instances moto holds for this cluster.
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import type { Cluster } from "../cluster/cluster.js";
import type { KubeObject } from "../cluster/kubectl.js";
import { waitFor } from "../cluster/net.js";
import { kwokManaged, loadExample } from "./examples.js";

export interface VirtualNodeJson {
  metadata: { name: string; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodePool: string; instanceTypes: string[]; pods: { namespace: string; name: string }[] };
  status?: {
    phase?: string;
    instanceID?: string;
    instanceType?: string;
    zone?: string;
    capacityType?: string;
    price?: string;
    nodeName?: string;
    boundPods?: number;
    lastFailure?: string;
    lastPodEventTime?: string;
    conditions?: { type: string; status: string; reason?: string }[];
  };
}

export interface PodJson {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { nodeName?: string };
  status: { phase?: string };
}

export interface Container {
  readonly cpu: string;
  readonly memory: string;
}

/** Applies the EC2NodeClass and the given example NodePools, made kwok-managed. */
export async function applyNodePools(
  cluster: Cluster,
  repoRoot: string,
  files: readonly string[],
): Promise<void> {
  const objects = ["ec2nodeclass.yaml", ...files].flatMap((file) =>
    loadExample(repoRoot, file).map(kwokManaged),
  );
  await cluster.kubectl.apply(objects);
}

export function deployment(
  name: string,
  replicas: number,
  container: Container,
  spec: Record<string, unknown> = {},
): KubeObject {
  return deploymentOf(
    name,
    replicas,
    {
      name: "main",
      image: "registry.k8s.io/pause:3.10",
      resources: { requests: { cpu: container.cpu, memory: container.memory } },
    },
    spec,
  );
}

/** A Deployment of one container (labelled app=<name>), with extra pod spec fields. */
export function deploymentOf(
  name: string,
  replicas: number,
  container: Record<string, unknown>,
  spec: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 0, containers: [container], ...spec },
      },
    },
  };
}

export async function virtualNodes(cluster: Cluster): Promise<VirtualNodeJson[]> {
  return (await cluster.kubectl.getJson<{ items: VirtualNodeJson[] }>("virtualnodes")).items;
}

export async function podsIn(kubectl: Cluster["kubectl"], selector?: string): Promise<PodJson[]> {
  const extra = selector === undefined ? [] : [`-l=${selector}`];
  return (await kubectl.getJson<{ items: PodJson[] }>("pods", undefined, extra)).items;
}

export interface MotoInstance {
  readonly id: string;
  readonly type: string;
  readonly state: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** Instances moto holds for this cluster (by rafter's cluster tag), in any state. */
export async function motoInstances(cluster: Cluster): Promise<MotoInstance[]> {
  const ec2 = new EC2Client({
    endpoint: cluster.moto.endpoint,
    region: cluster.region,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  try {
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: "tag:rafter.dev/cluster", Values: [cluster.clusterName] }],
      }),
    );
    return (out.Reservations ?? []).flatMap((r) =>
      (r.Instances ?? []).map((i) => ({
        id: i.InstanceId ?? "",
        type: i.InstanceType ?? "",
        state: i.State?.Name ?? "",
        tags: Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
      })),
    );
  } finally {
    ec2.destroy();
  }
}

/** Instance states that still cost money (and still count as the VirtualNode's capacity). */
export const liveInstanceStates: ReadonlySet<string> = new Set(["pending", "running"]);

/**
 * Nothing lost, nothing doubled: one live instance per VirtualNode (by rafter's virtualnode tag), each
 * the one its VirtualNode records, and no live instance without its VirtualNode.
 */
export async function assertOneInstancePerVirtualNode(
  cluster: Cluster,
): Promise<{ vns: VirtualNodeJson[]; live: MotoInstance[] }> {
  const vns = await virtualNodes(cluster);
  const live = (await motoInstances(cluster)).filter((i) => liveInstanceStates.has(i.state));
  const byVirtualNode = new Map<string, MotoInstance[]>();
  for (const instance of live) {
    const owner = instance.tags["rafter.dev/virtualnode"] ?? "";
    byVirtualNode.set(owner, [...(byVirtualNode.get(owner) ?? []), instance]);
  }
  for (const [owner, instances] of byVirtualNode)
    assert.equal(
      instances.length,
      1,
      `VirtualNode ${owner} has one live instance: ${instances.map((i) => i.id).join(",")}`,
    );
  const names = new Set(vns.map((v) => v.metadata.name));
  for (const owner of byVirtualNode.keys())
    assert.ok(names.has(owner), `live instance of ${owner} has its VirtualNode (no orphan)`);
  for (const vn of vns)
    assert.equal(
      byVirtualNode.get(vn.metadata.name)?.[0]?.id,
      vn.status?.instanceID,
      `${vn.metadata.name}: recorded instance = its live instance`,
    );
  return { vns, live };
}

/**
 * Leaves the cluster as a provisioning scenario found it: the namespace's workloads go first (so that
 * draining nodes does not recreate pods that need capacity again), then every VirtualNode and every
 * Node rafter made — waiting until rafter's termination has really removed them — then the NodePools.
 */
export async function cleanupCapacity(cluster: Cluster, namespace: string): Promise<void> {
  const kubectl = cluster.kubectl;
  await kubectl.run(
    [
      "delete",
      "deployments,replicasets,statefulsets,pods,poddisruptionbudgets",
      "--all",
      `--namespace=${namespace}`,
      "--wait=true",
      "--timeout=120s",
    ],
    { allowFailure: true },
  );
  await kubectl.run(["delete", "virtualnodes", "--all", "--wait=false"], { allowFailure: true });
  await kubectl.run(["delete", "nodes", "-l", "rafter.dev/nodepool", "--wait=false"], { allowFailure: true });
  await waitFor(
    "rafter's VirtualNodes and Nodes to be gone",
    async () => {
      const vns = await kubectl.getJson<{ items: unknown[] }>("virtualnodes");
      const nodes = await kubectl.getJson<{ items: unknown[] }>("nodes", undefined, [
        "-l=rafter.dev/nodepool",
      ]);
      return vns.items.length === 0 && nodes.items.length === 0;
    },
    { timeoutMs: 240_000, intervalMs: 1_000 },
  );
  await kubectl.run(["delete", "nodepools", "--all", "--wait=true", "--timeout=60s"], { allowFailure: true });
}
