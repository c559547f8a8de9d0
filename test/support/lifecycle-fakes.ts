// An in-memory API server for the lifecycle controller's tests: Nodes, VirtualNodes and pods with
// Kubernetes' deletion semantics (an object with finalizers gets a deletionTimestamp and goes when the
// last finalizer is removed), an evictor with PodDisruptionBudget-style blocking, the simulated cloud
// and a ManualClock. The reader serves the live lists, as informers would (without their lag).
import { isDeepStrictEqual } from "node:util";
import type {
  V1Node,
  V1Pod,
  V1PodDisruptionBudget,
  V1Taint,
  V1VolumeAttachment,
} from "@kubernetes/client-node";
import { pino } from "pino";
import type { EC2NodeClass } from "../../src/api/ec2nodeclass.js";
import type { NodePool } from "../../src/api/nodepool.js";
import type { VirtualNode, VirtualNodeStatus } from "../../src/api/virtualnode.js";
import { loadEmbeddedCatalog } from "../../src/catalog/embedded.js";
import type { Catalog } from "../../src/catalog/types.js";
import { ManualClock } from "../../src/clock.js";
import { SimulatedCloud } from "../../src/cloud/simulated/simulated-cloud.js";
import { staticReader, type ClusterReader } from "../../src/controllers/cluster-reader.js";
import type { LifecycleDeps, ProvisionResult } from "../../src/controllers/lifecycle/deps.js";
import { startLifecycle, type LifecycleHandle } from "../../src/controllers/lifecycle/index.js";
import { virtualNodeAnnotation } from "../../src/controllers/node-object.js";
import type { EvictionResult, PodEvictor } from "../../src/kube/eviction.js";
import { MemoryEventRecorder } from "../../src/kube/events.js";
import type { NodeClient, NodeMetadataPatch } from "../../src/kube/node-client.js";
import { terminationFinalizer } from "../../src/kube/virtual-nodes.js";
import type { ApiError } from "../../src/kube/errors.js";
import { createMetricsRegistry } from "../../src/metrics/registry.js";
import { plan } from "../../src/planner/index.js";
import type { NewNode } from "../../src/planner/types.js";
import { fail, ok as success, type Result } from "../../src/domain/result.js";
import { until } from "./until.js";

const ok = <T>(value: T): Promise<Result<T, ApiError>> => Promise.resolve(success(value));
const notFound = <T>(name: string): Promise<Result<T, ApiError>> =>
  Promise.resolve(fail({ kind: "not-found", message: name }));

export interface Watcher {
  onNode(node: V1Node): void;
  onVirtualNode(virtualNode: VirtualNode): void;
  onPod(pod: V1Pod): void;
}

export class FakeApi {
  readonly nodes: V1Node[] = [];
  readonly virtualNodes: VirtualNode[] = [];
  readonly pods: V1Pod[] = [];
  readonly nodePools: NodePool[] = [];
  readonly nodeClasses: EC2NodeClass[] = [];
  readonly podDisruptionBudgets: V1PodDisruptionBudget[] = [];
  readonly volumeAttachments: V1VolumeAttachment[] = [];
  /** Pod names ("ns/name") whose eviction a PDB refuses (429). */
  readonly blocked = new Set<string>();
  readonly evictions: string[] = [];
  readonly forcedDeletions: string[] = [];
  /** Every direct deletion: when, and with which grace period (undefined: the pod's own). */
  readonly deletions: { pod: string; at: number; gracePeriodSeconds: number | undefined }[] = [];
  readonly provisioned: { node: NewNode; reason: string; name: string }[] = [];
  private sequence = 0;
  private watcher: Watcher | undefined;

  constructor(readonly clock: ManualClock) {}

  /** Delivers changes to the controller the way informers would (on a later tick). */
  connect(watcher: Watcher): void {
    this.watcher = watcher;
  }

  // Like kube-apiserver, a write that changes nothing is not an event (no new resourceVersion, nothing
  // on the watch): controllers that write an unchanged status would otherwise wake themselves forever.

  /** Change notifications not yet delivered. */
  private undelivered = 0;

  /** True when every change has been delivered to the controller. */
  get quiet(): boolean {
    return this.undelivered === 0;
  }

  private deliver(notify: () => void): void {
    this.undelivered++;
    setImmediate(() => {
      this.undelivered--;
      notify();
    });
  }

  private notifyNode(node: V1Node): void {
    this.deliver(() => this.watcher?.onNode(node));
  }

  private notifyVirtualNode(virtualNode: VirtualNode): void {
    this.deliver(() => this.watcher?.onVirtualNode(virtualNode));
  }

  reader(): ClusterReader {
    return {
      ...staticReader({}),
      nodes: () => this.nodes,
      virtualNodes: () => this.virtualNodes,
      pods: () => this.pods,
      nodePools: () => this.nodePools,
      nodeClasses: () => this.nodeClasses,
      podDisruptionBudgets: () => this.podDisruptionBudgets,
      volumeAttachments: () => this.volumeAttachments,
    };
  }

  private stamp(): string {
    return new Date(this.clock.now()).toISOString();
  }

  readonly nodeClient: NodeClient = {
    setTaints: (node: V1Node, taints: readonly V1Taint[]) => {
      const live = this.node(node.metadata?.name ?? "");
      if (!live) return notFound(node.metadata?.name ?? "");
      const before = structuredClone(live);
      live.spec = { ...live.spec, taints: [...taints] };
      if (!isDeepStrictEqual(before, live)) this.notifyNode(live);
      return ok(live);
    },
    patchMetadata: (name: string, patch: NodeMetadataPatch) => {
      const live = this.node(name);
      if (!live) return notFound(name);
      const before = structuredClone(live);
      live.metadata = {
        ...live.metadata,
        labels: merge(live.metadata?.labels, patch.labels),
        annotations: merge(live.metadata?.annotations, patch.annotations),
      };
      if (!isDeepStrictEqual(before, live)) this.notifyNode(live);
      return ok(live);
    },
    removeFinalizer: (node: V1Node, finalizer: string) => {
      const live = this.node(node.metadata?.name ?? "");
      if (!live) return notFound(node.metadata?.name ?? "");
      live.metadata = {
        ...live.metadata,
        finalizers: (live.metadata?.finalizers ?? []).filter((f) => f !== finalizer),
      };
      this.collect();
      return ok(live);
    },
    delete: (name: string) => {
      const live = this.node(name);
      if (!live) return notFound(name);
      live.metadata = {
        ...live.metadata,
        deletionTimestamp: (live.metadata?.deletionTimestamp ?? this.stamp()) as unknown as Date,
      };
      this.collect();
      this.notifyNode(live);
      return ok({});
    },
  };

  readonly virtualNodeClient: LifecycleDeps["virtualNodes"] = {
    patchStatus: (name: string, status: VirtualNodeStatus) => {
      const live = this.virtualNode(name);
      if (!live) return notFound(name);
      const before = structuredClone(live);
      live.status = { ...live.status, ...structuredClone(status) };
      if (!isDeepStrictEqual(before, live)) this.notifyVirtualNode(live);
      return ok(live);
    },
    patchMetadata: (name, metadata) => {
      const live = this.virtualNode(name);
      if (!live) return notFound(name);
      live.metadata = {
        ...live.metadata,
        labels: merge(live.metadata.labels, metadata.labels),
        annotations: merge(live.metadata.annotations, metadata.annotations),
        ...(metadata.finalizers ? { finalizers: metadata.finalizers } : {}),
      };
      this.collect();
      return ok(live);
    },
    delete: (name: string) => {
      const live = this.virtualNode(name);
      if (!live) return notFound(name);
      live.metadata.deletionTimestamp ??= this.stamp() as unknown as Date;
      this.collect();
      this.notifyVirtualNode(live);
      return ok({});
    },
  };

  readonly evictor: PodEvictor = {
    evict: (pod: V1Pod): Promise<EvictionResult> => {
      const key = `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
      if (!this.pods.includes(pod)) return Promise.resolve({ kind: "gone" });
      if (this.blocked.has(key)) return Promise.resolve({ kind: "blocked", message: "429: PDB" });
      this.evictions.push(key);
      this.removePod(pod);
      return Promise.resolve({ kind: "evicted" });
    },
    delete: (pod: V1Pod, gracePeriodSeconds?: number): Promise<EvictionResult> => {
      const key = `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
      if (!this.pods.includes(pod)) return Promise.resolve({ kind: "gone" });
      this.forcedDeletions.push(key);
      this.deletions.push({ pod: key, at: this.clock.now(), gracePeriodSeconds });
      this.removePod(pod);
      return Promise.resolve({ kind: "evicted" });
    },
  };

  node(name: string): V1Node | undefined {
    return this.nodes.find((n) => n.metadata?.name === name);
  }

  virtualNode(name: string): VirtualNode | undefined {
    return this.virtualNodes.find((vn) => vn.metadata.name === name);
  }

  removePod(pod: V1Pod): void {
    const index = this.pods.indexOf(pod);
    if (index >= 0) this.pods.splice(index, 1);
    this.deliver(() => this.watcher?.onPod(pod));
  }

  /** Objects being deleted whose finalizers are all gone disappear. */
  private collect(): void {
    for (const list of [this.nodes, this.virtualNodes] as {
      metadata?: { deletionTimestamp?: unknown; finalizers?: string[] };
    }[][]) {
      for (let i = list.length - 1; i >= 0; i--) {
        const meta = list[i]?.metadata;
        if (meta?.deletionTimestamp && (meta.finalizers ?? []).length === 0) list.splice(i, 1);
      }
    }
  }

  /** Provision port: records the request and creates a VirtualNode in phase Planned. */
  provision = (node: NewNode, reason: string): Promise<ProvisionResult> => {
    const name = `replacement-${++this.sequence}`;
    this.provisioned.push({ node, reason, name });
    this.virtualNodes.push({
      apiVersion: "rafter.dev/v1",
      kind: "VirtualNode",
      metadata: {
        name,
        finalizers: [terminationFinalizer],
        creationTimestamp: this.stamp() as unknown as Date,
      },
      spec: {
        nodePool: node.nodePool,
        requirements: [],
        instanceTypes: [...node.instanceTypes],
        resources: {},
        pods: [],
      },
      status: { phase: "Planned" },
    });
    return Promise.resolve(success(name));
  };
}

function merge(
  base: Record<string, string> | undefined,
  patch: Record<string, string | null> | undefined,
): Record<string, string> {
  const out = { ...base };
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (value === null) Reflect.deleteProperty(out, key);
    else out[key] = value;
  }
  return out;
}

export interface LaunchedPair {
  readonly virtualNode: VirtualNode;
  readonly node: V1Node;
  readonly providerId: string;
}

export interface LifecycleWorld {
  readonly clock: ManualClock;
  readonly api: FakeApi;
  readonly cloud: SimulatedCloud;
  readonly events: MemoryEventRecorder;
  readonly catalog: Catalog;
  readonly deps: LifecycleDeps;
  readonly released: string[][];
  /** Registration outcomes reported, e.g. "failed default RegistrationTimeout (0 released before)". */
  readonly outcomes: string[];
  /** Starts the controller, connected to the fake API's change notifications. */
  start(): LifecycleHandle;
  /** Launches an instance in the simulated cloud and records a Ready VirtualNode + Node for it. */
  launch(name: string, options?: LaunchOptions): Promise<LaunchedPair>;
  /** Waits (without moving time) until every change was delivered and the controller is idle. */
  settle(): Promise<void>;
  /** Advances the clock in steps of `step`, settling after each. */
  advance(ms: number, step?: number): Promise<void>;
}

export interface LaunchOptions {
  readonly instanceType?: string;
  readonly nodePool?: string;
  readonly phase?: VirtualNodeStatus["phase"];
  /** The kubelet posted Ready=True (default true). */
  readonly ready?: boolean;
  readonly labels?: Record<string, string>;
  readonly price?: number;
}

export function lifecycleWorld(
  config: Partial<LifecycleDeps["config"]> = {},
  cloudOptions: { terminationLatencyMs?: number } = {},
): LifecycleWorld {
  const clock = new ManualClock(Date.parse("2025-01-06T12:00:00Z"));
  const api = new FakeApi(clock);
  const catalog = loadEmbeddedCatalog();
  const cloud = new SimulatedCloud({
    clock,
    sleep: () => Promise.resolve(),
    catalog,
    clusterName: "test",
    ...cloudOptions,
  });
  const events = new MemoryEventRecorder();
  const released: string[][] = [];
  const outcomes: string[] = [];
  const deps: LifecycleDeps = {
    reader: api.reader(),
    nodes: api.nodeClient,
    virtualNodes: api.virtualNodeClient,
    evictor: api.evictor,
    cloud,
    unavailableOfferings: cloud.unavailableOfferings,
    catalog: () => Promise.resolve(catalog),
    plan,
    provision: api.provision,
    releasePods: (keys) => released.push(keys),
    registrationOutcomes: {
      failed: (pool, reason) =>
        outcomes.push(`failed ${pool} ${reason} (${released.length} released before)`),
      registered: (pool) => outcomes.push(`registered ${pool}`),
    },
    events,
    registry: createMetricsRegistry(),
    clock,
    timers: clock,
    logger: pino({ level: "silent" }),
    config: { launchTimeoutMs: 300_000, registrationTimeoutMs: 900_000, gcGracePeriodMs: 120_000, ...config },
  };
  const launch = async (name: string, options: LaunchOptions = {}): Promise<LaunchedPair> => {
    const poolName = options.nodePool ?? api.nodePools[0]?.metadata.name ?? "default";
    const pool = api.nodePools.find((p) => p.metadata.name === poolName) ?? testPool(poolName);
    const instanceType = options.instanceType ?? "m5.large";
    const virtualNode: VirtualNode = {
      apiVersion: "rafter.dev/v1",
      kind: "VirtualNode",
      metadata: {
        name,
        uid: `uid-${name}`,
        finalizers: [terminationFinalizer],
        creationTimestamp: new Date(clock.now()).toISOString() as unknown as Date,
      },
      spec: {
        nodePool: poolName,
        requirements: [{ key: "rafter.dev/capacity-type", operator: "In", values: ["on-demand"] }],
        instanceTypes: [instanceType],
        resources: {},
        pods: [],
      },
    };
    const result = await cloud.create(virtualNode, { nodePool: pool });
    if (!result.ok) throw new Error(result.error.message);
    const launched = result.value;
    virtualNode.status = {
      phase: options.phase ?? "Ready",
      instanceID: launched.instanceId,
      providerID: launched.providerId,
      instanceType: launched.instanceType,
      zone: launched.zone,
      capacityType: launched.capacityType,
      price: (options.price ?? launched.price).toFixed(4),
      nodeName: `node-${name}`,
      launchedAt: new Date(clock.now()).toISOString(),
    };
    const type = catalog.instanceTypes.find((t) => t.name === instanceType);
    const format = (r: Readonly<Record<string, number>> | undefined) => ({
      cpu: `${r?.cpu ?? 0}m`,
      memory: `${r?.memory ?? 0}`,
      pods: `${r?.pods ?? 110}`,
    });
    const node: V1Node = {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: `node-${name}`,
        uid: `node-uid-${name}`,
        creationTimestamp: new Date(clock.now()).toISOString() as unknown as Date,
        finalizers: [terminationFinalizer],
        annotations: { [virtualNodeAnnotation]: name },
        labels: {
          ...type?.labels,
          ...pool.spec.template.metadata?.labels,
          "kubernetes.io/hostname": `node-${name}`,
          "node.kubernetes.io/instance-type": launched.instanceType,
          "topology.kubernetes.io/zone": launched.zone,
          "rafter.dev/capacity-type": launched.capacityType,
          "rafter.dev/nodepool": poolName,
          ...options.labels,
        },
      },
      spec: { providerID: launched.providerId },
      status: {
        capacity: format(type?.capacity),
        allocatable: format(type?.allocatable),
        ...(options.ready === false ? {} : { conditions: [{ type: "Ready", status: "True" }] }),
      },
    };
    api.virtualNodes.push(virtualNode);
    api.nodes.push(node);
    return { virtualNode, node, providerId: launched.providerId };
  };
  let started: LifecycleHandle | undefined;
  const start = (): LifecycleHandle => {
    const handle = startLifecycle(deps);
    api.connect(handle);
    started = handle;
    return handle;
  };
  const settle = (): Promise<void> =>
    until(() => api.quiet && (started?.idle ?? true), { what: "the lifecycle controller to be idle" });
  const advance = async (ms: number, step = 1_000): Promise<void> => {
    for (let passed = 0; passed < ms; passed += step) {
      clock.advance(Math.min(step, ms - passed));
      await settle();
    }
  };
  return { clock, api, cloud, events, catalog, deps, released, outcomes, launch, start, settle, advance };
}

export function testPool(name = "default", spec: Partial<NodePool["spec"]> = {}): NodePool {
  return {
    apiVersion: "rafter.dev/v1",
    kind: "NodePool",
    metadata: { name },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: "rafter.dev", kind: "EC2NodeClass", name: "default" },
          requirements: [{ key: "rafter.dev/capacity-type", operator: "In", values: ["on-demand"] }],
        },
      },
      ...spec,
    },
  };
}

export function runningPod(
  name: string,
  nodeName: string,
  options: {
    cpu?: string;
    memory?: string;
    annotations?: Record<string, string>;
    daemonSet?: boolean;
    critical?: boolean;
    mirror?: boolean;
  } = {},
): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      labels: { app: name.replace(/-\d+$/, "") },
      annotations: {
        ...options.annotations,
        ...(options.mirror ? { "kubernetes.io/config.mirror": "x" } : {}),
      },
      ...(options.daemonSet
        ? {
            ownerReferences: [
              { apiVersion: "apps/v1", kind: "DaemonSet", name: "ds", uid: "ds", controller: true },
            ],
          }
        : {}),
    },
    spec: {
      nodeName,
      containers: [
        {
          name: "app",
          image: "app",
          resources: { requests: { cpu: options.cpu ?? "100m", memory: options.memory ?? "128Mi" } },
        },
      ],
      ...(options.critical ? { priorityClassName: "system-cluster-critical" } : {}),
    },
    status: { phase: "Running" },
  };
}
