// Compiles a snapshot once: resource space, pods (pending, bound, in flight), NodePools against the
// catalogue, and the seed state (existing and in-flight nodes) every packing run starts from.
import { withRafterAliases } from "../api/karpenter-labels.js";
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { NodePool } from "../api/nodepool.js";
import { requirementsFrom, singleValue } from "../domain/requirements.js";
import { parseResourceList, type Resources } from "../domain/resources.js";
import type { TaintLike } from "../domain/taints.js";
import { effectiveTaints } from "./bring-up-taints.js";
import { Compatibility } from "./compatibility.js";
import { labelKeys, unschedulableTaint } from "../api/labels.js";
import type { FixedNode } from "./node-state.js";
import { compilePod, linkPod, type PodInfo } from "./pods.js";
import { compilePools, registerPoolResources, type CompiledPool } from "./pools.js";
import { addInto, ResourceSpace, type Vec } from "./resource-space.js";
import { TopologyIndex, type TermRef } from "./topology.js";
import type { InFlightNode, PlanningSnapshot } from "./types.js";
import { volumeIndex } from "./volumes.js";

interface FixedSeed {
  readonly kind: "existing" | "inflight";
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly TaintLike[];
  readonly free: Vec;
  readonly closed: string | undefined;
  readonly pods: readonly PodInfo[];
}

export interface Model {
  readonly space: ResourceSpace;
  readonly topo: TopologyIndex;
  readonly pending: readonly PodInfo[];
  readonly pools: readonly CompiledPool[];
  readonly seeds: readonly FixedSeed[];
  readonly compat: Compatibility;
}

function isActive(pod: V1Pod): boolean {
  return pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";
}

function nodeLabels(node: V1Node): Readonly<Record<string, string>> {
  // A node Karpenter launched carries only karpenter.sh/… spellings; it answers for rafter's too.
  return withRafterAliases({
    [labelKeys.hostname]: node.metadata?.name ?? "",
    ...(node.metadata?.labels ?? {}),
  });
}

function inFlightLabels(vn: InFlightNode, pools: readonly CompiledPool[]): Record<string, string> {
  const labels: Record<string, string> = { [labelKeys.hostname]: vn.name, [labelKeys.nodePool]: vn.nodePool };
  const pool = pools.find((p) => p.name === vn.nodePool);
  const types = (pool?.types ?? []).filter((t) => vn.instanceTypes.includes(t.type.name));
  const first = types[0];
  if (first)
    for (const [k, v] of Object.entries(first.labels))
      if (types.every((t) => t.labels[k] === v)) labels[k] = v;
  for (const [key, req] of requirementsFrom(vn.requirements)) {
    const v = singleValue(req);
    if (v !== undefined) labels[key] = v;
  }
  if (vn.instanceType) labels[labelKeys.instanceType] = vn.instanceType;
  if (vn.zone) labels[labelKeys.zone] = vn.zone;
  if (vn.capacityType) labels[labelKeys.capacityType] = vn.capacityType;
  return labels;
}

export function compileModel(snapshot: PlanningSnapshot): Model {
  const space = new ResourceSpace();
  const topo = new TopologyIndex(snapshot.namespaces);
  const volumes = volumeIndex(
    snapshot.persistentVolumeClaims,
    snapshot.persistentVolumes,
    snapshot.storageClasses,
  );
  // Catalogue, pool and DaemonSet resources come first, so the space's dimensions (and with them
  // the memoised pool compilation) do not depend on which resources this batch's pods request.
  registerPoolResources(snapshot.nodePools, snapshot.catalog, snapshot.daemonSets, space);
  let index = 0;
  const compile = (pod: V1Pod): PodInfo => compilePod(pod, index++, space, topo, volumes);
  const pending = snapshot.pendingPods.map(compile);
  const bound = snapshot.nodes.map((n) => n.pods.filter(isActive).map(compile));
  const flying = snapshot.inFlight.map((vn) => vn.pods.map(compile));
  for (const n of snapshot.nodes) space.register(parseResourceList(n.node.status?.allocatable));

  const usage = (pool: NodePool): Resources => {
    const given = snapshot.nodePoolUsage?.[pool.metadata.name ?? ""];
    if (given) return given;
    let total: Resources = {};
    let nodes = 0;
    for (const n of snapshot.nodes) {
      if (n.node.metadata?.labels?.[labelKeys.nodePool] !== pool.metadata.name) continue;
      nodes++;
      for (const [k, v] of Object.entries(parseResourceList(n.node.status?.capacity)))
        total = { ...total, [k]: (total[k] ?? 0) + v };
    }
    for (const vn of snapshot.inFlight) {
      if (vn.nodePool !== pool.metadata.name) continue;
      nodes++;
      // An in-flight node may still launch as its largest option.
      const caps = snapshot.catalog.instanceTypes
        .filter((t) => vn.instanceTypes.includes(t.name))
        .map((t) => t.capacity);
      const max: Record<string, number> = {};
      for (const c of caps) for (const [k, v] of Object.entries(c)) max[k] = Math.max(max[k] ?? 0, v);
      for (const [k, v] of Object.entries(max)) total = { ...total, [k]: (total[k] ?? 0) + v };
    }
    return { ...total, nodes };
  };
  const pools = compilePools(
    snapshot.nodePools,
    snapshot.catalog,
    snapshot.daemonSets,
    snapshot.unavailableOfferings,
    usage,
    space,
  );

  const all = [...pending, ...bound.flat(), ...flying.flat()];
  const classIds = new Map<string, number>();
  for (const info of all) {
    info.vec = space.vector(info.requests);
    let id = classIds.get(info.classKey);
    if (id === undefined) classIds.set(info.classKey, (id = classIds.size));
    info.classId = id;
  }
  const antiSeen = new Map<string, TermRef>();
  for (const info of all) for (const t of info.ownAnti) antiSeen.set(`${t.sid}\0${t.key}`, t);
  const allAnti = [...antiSeen.values()];
  for (const info of all) linkPod(info, topo, allAnti);

  const seeds: FixedSeed[] = [];
  snapshot.nodes.forEach((n, i) => {
    const pods = bound[i] ?? [];
    const free = space.vector(parseResourceList(n.node.status?.allocatable));
    for (const p of pods) addInto(free, p.vec, -1);
    const taints = effectiveTaints(n.node, snapshot.nodePools);
    if (n.node.spec?.unschedulable) taints.push(unschedulableTaint);
    seeds.push({
      kind: "existing",
      name: n.node.metadata?.name ?? "",
      labels: nodeLabels(n.node),
      taints,
      free,
      closed: n.markedForDeletion ? "being disrupted" : undefined,
      pods,
    });
  });
  snapshot.inFlight.forEach((vn, i) => {
    const pods = flying[i] ?? [];
    const pool = pools.find((p) => p.name === vn.nodePool);
    const options = (pool?.types ?? []).filter((t) => vn.instanceTypes.includes(t.type.name));
    // A pod joins an in-flight node only if it fits whichever option launches: the minimum free.
    const free = space.zero();
    free.fill(options.length > 0 ? Infinity : 0);
    for (const t of options)
      for (let r = 0; r < free.length; r++) free[r] = Math.min(free[r] ?? 0, t.free[r] ?? 0);
    for (const p of pods) addInto(free, p.vec, -1);
    seeds.push({
      kind: "inflight",
      name: vn.name,
      labels: inFlightLabels(vn, pools),
      taints: pool?.taints ?? [],
      free,
      closed: pool ? undefined : `NodePool "${vn.nodePool}" not found`,
      pods,
    });
  });
  return { space, topo, pending, pools, seeds, compat: new Compatibility(pools, seeds.map(freshFixed)) };
}

function freshFixed(seed: FixedSeed): FixedNode {
  return {
    ...seed,
    free: Float64Array.from(seed.free),
    ports: seed.pods.flatMap((p) => p.ports),
    pods: [...seed.pods],
  };
}

/** Resets the topology counters to the seeds' pods and returns fresh mutable fixed nodes. */
export function seedState(model: Model): FixedNode[] {
  model.topo.resetCounts();
  const fixed = model.seeds.map(freshFixed);
  for (const node of fixed) {
    const labelOf = (key: string): string | undefined => node.labels[key];
    for (const pod of node.pods) model.topo.add(pod.matches, pod.ownAnti, labelOf);
  }
  return fixed;
}
