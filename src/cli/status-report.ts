// `rafter status`, the pure part: the objects listed from the API server in, a report out. Node
// counts and capacity are measured the way NodePool status measures them (nodes of the pool plus
// VirtualNodes still launching), spend is the sum of the live VirtualNodes' prices, and the plan's
// efficiency compares that spend with the planner's LP lower bound for the pods rafter's nodes run.
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { Condition } from "../api/common.js";
import type { EC2NodeClass } from "../api/ec2nodeclass.js";
import type { NodePool } from "../api/nodepool.js";
import { nodeRegistrationHealthy } from "../api/nodepool.js";
import type { VirtualNode, VirtualNodePhase } from "../api/virtualnode.js";
import { addResources, parseResourceList, type Resources } from "../domain/resources.js";
import { formatResourceQuantity, parseResourceQuantity } from "../domain/quantity.js";
import type { Catalog } from "../catalog/types.js";
import { plan, snapshotFromObjects, type LpSolver } from "../planner/index.js";
import { labelKeys } from "../api/labels.js";
import { namespacedName, podKey } from "../domain/pod-key.js";

export interface StatusObjects {
  readonly nodePools: readonly NodePool[];
  readonly nodeClasses: readonly EC2NodeClass[];
  readonly virtualNodes: readonly VirtualNode[];
  readonly nodes: readonly V1Node[];
  readonly pods: readonly V1Pod[];
}

export interface ConditionSummary {
  readonly status: "True" | "False" | "Unknown";
  readonly reason?: string;
  readonly message?: string;
}

/** A resource in use (capacity of the pool's nodes, what limits are measured against) and its limit. */
export interface ResourceUse {
  readonly inUse: string;
  readonly limit?: string;
}

export interface PoolReport {
  readonly name: string;
  readonly weight: number;
  readonly ready: ConditionSummary;
  readonly nodeRegistrationHealthy: ConditionSummary;
  readonly nodes: number;
  readonly nodeLimit?: string;
  readonly cpu: ResourceUse;
  readonly memory: ResourceUse;
  readonly hourlyCost: number;
}

export interface InFlightReport {
  readonly name: string;
  readonly nodePool: string;
  readonly phase: VirtualNodePhase;
  /** The launched type, or the cheapest planned type while none is chosen (then `planned` is true). */
  readonly instanceType?: string;
  readonly planned: boolean;
  readonly ageSeconds?: number;
  readonly reservedPods: number;
  readonly lastFailure?: string;
}

export interface FailedReport {
  readonly name: string;
  readonly nodePool: string;
  readonly instanceType?: string;
  readonly ageSeconds?: number;
  readonly reason: string;
}

export interface EfficiencyReport {
  /** Current spend ($/h of the live VirtualNodes). */
  readonly hourlyCost: number;
  /** Planner LP lower bound ($/h) for the pods running on rafter-managed nodes; undefined when not computed. */
  readonly lowerBound?: number;
  /** hourlyCost / lowerBound; undefined when the bound is zero or unknown. */
  readonly ratio?: number;
  /** Pods running on rafter-managed nodes (DaemonSet and mirror pods left out). */
  readonly pods: number;
  /** Of those, pods the planner could not place on fresh capacity (left out of the bound). */
  readonly unplaceable: number;
  readonly explanation: string;
}

export interface StatusReport {
  readonly generatedAt: string;
  readonly nodePools: readonly PoolReport[];
  readonly inFlight: readonly InFlightReport[];
  readonly failed: readonly FailedReport[];
  readonly totals: {
    readonly nodes: number;
    readonly rafterNodes: number;
    readonly liveVirtualNodes: number;
    readonly hourlyCost: number;
    readonly pendingPods: number;
    /** Pending pods a live VirtualNode holds a reservation for. */
    readonly reservedPods: number;
  };
  readonly efficiency: EfficiencyReport;
}

/** What the planner said about the pods rafter's nodes run, on an empty cluster. */
export interface LowerBoundResult {
  readonly lowerBound: number;
  readonly unplaceable: number;
}

const leavingPhases = new Set<string>(["Failed", "Terminating"]);
const readyOrLater = new Set<string>(["Ready", "Draining", "Terminating", "Failed"]);

const efficiencyExplanation =
  "efficiency = current spend / the planner's LP lower bound on the hourly cost of capacity for the pods " +
  "now running on rafter-managed nodes, planned from scratch on an empty cluster with the same NodePools " +
  "and the embedded catalogue. 1.00 means no set of nodes could hold those pods for less; 1.30 means " +
  "spending 30% above that bound (in-flight capacity not used yet, nodes left underused, or whole nodes " +
  "where the bound counts fractions of one). DaemonSet overhead and volume topology are left out of the bound, so the " +
  "ratio errs high.";

function phaseOf(vn: VirtualNode): VirtualNodePhase {
  return vn.status?.phase ?? "Planned";
}

function summary(conditions: readonly Condition[] | undefined, type: string): ConditionSummary {
  const c = conditions?.find((x) => x.type === type);
  if (!c) return { status: "Unknown" };
  return {
    status: c.status,
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
  };
}

function price(vn: VirtualNode): number {
  const value = Number(vn.status?.price ?? "");
  return Number.isFinite(value) ? value : 0;
}

function ageSeconds(timestamp: Date | string | undefined, now: number): number | undefined {
  if (timestamp === undefined) return undefined;
  const at = new Date(timestamp).getTime();
  return Number.isNaN(at) ? undefined : Math.max(0, Math.floor((now - at) / 1000));
}

function limitOf(pool: NodePool, resource: string): string | undefined {
  const raw = pool.spec.limits?.[resource];
  if (raw === undefined) return undefined;
  return formatResourceQuantity(resource, parseResourceQuantity(resource, raw));
}

/** Nodes of the pool (registered or still launching) and their capacity, as NodePool status counts them. */
function poolUsage(
  objects: StatusObjects,
  pool: string,
): { nodes: number; resources: Resources; hourlyCost: number } {
  let nodes = 0;
  let resources: Resources = {};
  const counted = new Set<string>();
  for (const node of objects.nodes) {
    if (node.metadata?.labels?.[labelKeys.nodePool] !== pool) continue;
    nodes++;
    counted.add(node.metadata.name ?? "");
    resources = addResources(resources, parseResourceList(node.status?.capacity));
  }
  let hourlyCost = 0;
  for (const vn of objects.virtualNodes) {
    if (vn.spec.nodePool !== pool || phaseOf(vn) === "Failed") continue;
    hourlyCost += price(vn);
    if (leavingPhases.has(phaseOf(vn)) || counted.has(vn.status?.nodeName ?? "")) continue;
    nodes++;
    resources = addResources(resources, parseResourceList(vn.spec.resources));
  }
  return { nodes, resources, hourlyCost };
}

function isTerminal(pod: V1Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

function isDaemonOrMirror(pod: V1Pod): boolean {
  return (
    (pod.metadata?.ownerReferences ?? []).some((o) => o.kind === "DaemonSet") ||
    pod.metadata?.annotations?.["kubernetes.io/config.mirror"] !== undefined
  );
}

/** Pods running (bound, not finished) on Nodes labelled with a NodePool: the workload rafter carries. */
export function podsOnRafterNodes(objects: StatusObjects): V1Pod[] {
  const rafterNodes = new Set(
    objects.nodes
      .filter((n) => n.metadata?.labels?.[labelKeys.nodePool] !== undefined)
      .map((n) => n.metadata?.name),
  );
  return objects.pods.filter(
    (p) => p.spec?.nodeName && rafterNodes.has(p.spec.nodeName) && !isTerminal(p) && !isDaemonOrMirror(p),
  );
}

/**
 * The input of the planner run behind the efficiency figure: the pods rafter's nodes run, as pending
 * pods (unbound; persistent volumes dropped) on an empty cluster with the same NodePools and node classes.
 */
export function lowerBoundObjects(objects: StatusObjects): unknown[] {
  const pods = podsOnRafterNodes(objects).map((p) => {
    const spec = { ...(p.spec ?? { containers: [] }) };
    delete spec.nodeName;
    if (spec.volumes) spec.volumes = spec.volumes.filter((v) => v.persistentVolumeClaim === undefined);
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: p.metadata?.name,
        namespace: p.metadata?.namespace,
        ...(p.metadata?.uid ? { uid: p.metadata.uid } : {}),
        ...(p.metadata?.labels ? { labels: p.metadata.labels } : {}),
        ...(p.metadata?.ownerReferences ? { ownerReferences: p.metadata.ownerReferences } : {}),
      },
      spec,
      status: { phase: "Pending" },
    };
  });
  const strip = <T extends { metadata: object }>(o: T, kind: string) => ({ ...o, kind });
  return [
    ...objects.nodeClasses.map((c) => strip(c, "EC2NodeClass")),
    ...objects.nodePools.map((p) => strip(p, "NodePool")),
    ...pods,
  ];
}

export function buildStatusReport(
  objects: StatusObjects,
  now: number,
  bound: LowerBoundResult | undefined,
): StatusReport {
  const pools = [...objects.nodePools].sort(
    (a, b) =>
      (b.spec.weight ?? 0) - (a.spec.weight ?? 0) ||
      (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""),
  );
  const nodePools: PoolReport[] = pools.map((pool) => {
    const name = pool.metadata.name ?? "";
    const use = poolUsage(objects, name);
    const nodeLimit = pool.spec.limits?.nodes;
    return {
      name,
      weight: pool.spec.weight ?? 0,
      ready: summary(pool.status?.conditions, "Ready"),
      nodeRegistrationHealthy: summary(pool.status?.conditions, nodeRegistrationHealthy),
      nodes: use.nodes,
      ...(nodeLimit !== undefined ? { nodeLimit: String(nodeLimit) } : {}),
      cpu: resourceUse(pool, use.resources, "cpu"),
      memory: resourceUse(pool, use.resources, "memory"),
      hourlyCost: use.hourlyCost,
    };
  });

  const created = (vn: VirtualNode) => new Date(vn.metadata.creationTimestamp ?? 0).getTime() || 0;
  const byAge = (a: VirtualNode, b: VirtualNode) =>
    created(a) - created(b) || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
  const vns = [...objects.virtualNodes].sort(byAge);
  const inFlight: InFlightReport[] = vns
    .filter((vn) => !readyOrLater.has(phaseOf(vn)))
    .map((vn) => {
      const chosen = vn.status?.instanceType;
      const type = chosen ?? vn.spec.instanceTypes[0];
      const age = ageSeconds(vn.metadata.creationTimestamp, now);
      return {
        name: vn.metadata.name ?? "",
        nodePool: vn.spec.nodePool,
        phase: phaseOf(vn),
        ...(type !== undefined ? { instanceType: type } : {}),
        planned: chosen === undefined,
        ...(age !== undefined ? { ageSeconds: age } : {}),
        reservedPods: vn.status?.reservedPods ?? vn.spec.pods.length,
        ...(vn.status?.lastFailure ? { lastFailure: vn.status.lastFailure } : {}),
      };
    });
  const failed: FailedReport[] = vns
    .filter((vn) => phaseOf(vn) === "Failed")
    .map((vn) => {
      const age = ageSeconds(vn.metadata.creationTimestamp, now);
      const type = vn.status?.instanceType;
      return {
        name: vn.metadata.name ?? "",
        nodePool: vn.spec.nodePool,
        ...(type !== undefined ? { instanceType: type } : {}),
        ...(age !== undefined ? { ageSeconds: age } : {}),
        reason: failureReason(vn),
      };
    });

  const live = objects.virtualNodes.filter((vn) => phaseOf(vn) !== "Failed");
  const hourlyCost = live.reduce((sum, vn) => sum + price(vn), 0);
  const reservations = new Set(
    live.flatMap((vn) => vn.spec.pods.map((ref) => namespacedName(ref.namespace, ref.name))),
  );
  const pending = objects.pods.filter((p) => !p.spec?.nodeName && !isTerminal(p));
  const running = podsOnRafterNodes(objects);
  const ratio =
    bound === undefined ? undefined : bound.lowerBound > 0 ? hourlyCost / bound.lowerBound : undefined;
  return {
    generatedAt: new Date(now).toISOString(),
    nodePools,
    inFlight,
    failed,
    totals: {
      nodes: objects.nodes.length,
      rafterNodes: objects.nodes.filter((n) => n.metadata?.labels?.[labelKeys.nodePool] !== undefined).length,
      liveVirtualNodes: live.length,
      hourlyCost,
      pendingPods: pending.length,
      reservedPods: pending.filter((p) => reservations.has(podKey(p))).length,
    },
    efficiency: {
      hourlyCost,
      ...(bound !== undefined ? { lowerBound: bound.lowerBound } : {}),
      ...(ratio !== undefined ? { ratio } : {}),
      pods: running.length,
      unplaceable: bound?.unplaceable ?? 0,
      explanation: efficiencyExplanation,
    },
  };
}

function resourceUse(pool: NodePool, resources: Resources, resource: string): ResourceUse {
  const limit = limitOf(pool, resource);
  return {
    inUse: formatResourceQuantity(resource, resources[resource] ?? 0),
    ...(limit !== undefined ? { limit } : {}),
  };
}

function failureReason(vn: VirtualNode): string {
  if (vn.status?.lastFailure) return vn.status.lastFailure;
  const failing = vn.status?.conditions?.find((c) => c.status === "False" && (c.message ?? c.reason));
  const detail = failing?.message ?? failing?.reason;
  return failing && detail ? `${failing.type}: ${detail}` : "unknown";
}

/** Runs the planner on lowerBoundObjects and returns its LP lower bound (needs an LP solver). */
export function computeLowerBound(
  objects: StatusObjects,
  catalog: Catalog,
  lpSolver: LpSolver,
): LowerBoundResult {
  const result = plan(snapshotFromObjects(lowerBoundObjects(objects), catalog), { lpSolver });
  return { lowerBound: result.lowerBound ?? 0, unplaceable: result.unschedulable.length };
}
