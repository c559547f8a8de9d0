// An in-process cloud behind the CloudProvider port, for unit tests and the local demo when no EC2
// endpoint is configured. Launches take `launchLatencyMs`, instances boot (pending → running) and
// shut down on the injected clock; capacity errors, throttling and arbitrary failures are injected
// per test. Time only moves through `clock` and `sleep`: tests pass a ManualClock and
// `sleep: async (ms) => clock.advance(ms)`, so nothing really waits.
import type { EC2NodeClass, EC2NodeClassStatus } from "../../api/ec2nodeclass.js";
import type { NodePool } from "../../api/nodepool.js";
import type { VirtualNode } from "../../api/virtualnode.js";
import { loadEmbeddedCatalog, loadEmbeddedCatalogWith } from "../../catalog/embedded.js";
import { offeringKey, type Catalog, type InstanceType } from "../../catalog/types.js";
import type { CapacityType } from "../../api/common.js";
import { sleepOn, systemTimers, type Clock } from "../../clock.js";
import { cloudFailure, fail, notFound, ok, throttled, type FailedOffering, type Result } from "../errors.js";
import { launchOptions } from "../launch-options.js";
import {
  parseProviderId,
  providerIdFor,
  tagKeys,
  type CloudInstance,
  type CloudProvider,
  type CreateError,
  type CreateOptions,
  type DeleteError,
  type DriftReason,
  type InstanceState,
  type ListError,
  type LaunchedInstance,
} from "../provider.js";
import { UnavailableOfferings } from "../unavailable-offerings.js";

export interface SimulatedCloudOptions {
  readonly clock: Clock;
  /** Waits `ms` of (virtual) time; defaults to a real timer for the demo. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Defaults to the embedded us-east-1 catalogue. */
  readonly catalog?: Catalog;
  readonly clusterName?: string;
  /** How long create() takes before answering (CreateFleet's latency). Default 0. */
  readonly launchLatencyMs?: number;
  /** How long an instance stays pending before it is running. Default 0. */
  readonly bootLatencyMs?: number;
  /** How long a terminated instance is shutting-down before it is gone. Default 0. */
  readonly terminationLatencyMs?: number;
  /** Shared with the planner; a fresh one (3-minute TTL on `clock`) when absent. */
  readonly unavailableOfferings?: UnavailableOfferings;
  readonly imageId?: string;
}

interface SimulatedInstance {
  launched: LaunchedInstance;
  tags: Record<string, string>;
  imageId: string;
  terminatedAt?: number;
}

const realSleep = sleepOn(systemTimers());

export class SimulatedCloud implements CloudProvider {
  readonly name = "simulated";
  readonly unavailableOfferings: UnavailableOfferings;
  /** Counts of port calls, for assertions. */
  readonly calls = { create: 0, delete: 0, get: 0, list: 0 };

  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly catalog: Catalog;
  private readonly customCatalog: boolean;
  private readonly byName: Map<string, InstanceType>;
  private readonly instances = new Map<string, SimulatedInstance>();
  private readonly byClientToken = new Map<string, string>();
  private readonly noCapacity = new Set<string>();
  private throttledCalls = 0;
  private readonly pendingFailures: string[] = [];
  private sequence = 0;
  private imageId: string;

  constructor(private readonly options: SimulatedCloudOptions) {
    this.clock = options.clock;
    this.sleep = options.sleep ?? realSleep;
    this.customCatalog = options.catalog !== undefined;
    this.catalog = options.catalog ?? loadEmbeddedCatalog();
    this.byName = new Map(this.catalog.instanceTypes.map((type) => [type.name, type]));
    this.unavailableOfferings =
      options.unavailableOfferings ?? new UnavailableOfferings({ clock: options.clock });
    this.imageId = options.imageId ?? "ami-0simulated000001";
  }

  // ---- failure injection -------------------------------------------------------------------

  /** From now on, launching this offering fails with InsufficientInstanceCapacity. */
  exhaustCapacity(instanceType: string, zone: string, capacityType: CapacityType): void {
    this.noCapacity.add(offeringKey(instanceType, zone, capacityType));
  }

  restoreCapacity(instanceType: string, zone: string, capacityType: CapacityType): void {
    this.noCapacity.delete(offeringKey(instanceType, zone, capacityType));
  }

  /** The next `count` port calls answer Throttled. */
  throttleNext(count: number): void {
    this.throttledCalls += count;
  }

  /** The next create() fails with this message (queued, one per call). */
  failNextCreate(message: string): void {
    this.pendingFailures.push(message);
  }

  /** Terminates an instance behind rafter's back (a spot interruption, an operator). */
  interrupt(instanceId: string): void {
    const instance = this.instances.get(instanceId);
    if (instance && instance.terminatedAt === undefined) instance.terminatedAt = this.clock.now();
  }

  /** Changes the image new launches use and resolveNodeClass reports (to provoke drift). */
  setImage(imageId: string): void {
    this.imageId = imageId;
  }

  /** Every instance ever launched, including terminated ones. */
  allInstances(): CloudInstance[] {
    return [...this.instances.values()].map((instance) => this.view(instance));
  }

  // ---- the port ----------------------------------------------------------------------------

  async create(
    virtualNode: VirtualNode,
    options: CreateOptions,
  ): Promise<Result<LaunchedInstance, CreateError>> {
    this.calls.create++;
    const token = virtualNode.metadata.uid ?? virtualNode.metadata.name ?? "";
    const existing = this.byClientToken.get(token);
    const known = existing === undefined ? undefined : this.instances.get(existing);
    if (known) return ok(known.launched);
    if (this.consumeThrottle()) return fail(throttled("simulated RequestLimitExceeded", 1000));
    await this.sleep(this.options.launchLatencyMs ?? 0);
    const injected = this.pendingFailures.shift();
    if (injected !== undefined) return fail(cloudFailure(injected, "SimulatedFailure"));

    const choice = launchOptions(virtualNode, this.byName, this.unavailableOfferings.keys());
    if (!choice) {
      return fail({ kind: "InsufficientCapacity", message: "no launchable offering left", offerings: [] });
    }
    const failed: FailedOffering[] = [];
    // lowest-price / price-capacity-optimized both reduce to "cheapest offering with capacity" here.
    const ordered = [...choice.options].sort((a, b) => a.price - b.price);
    for (const option of ordered) {
      if (this.noCapacity.has(offeringKey(option.instanceType, option.zone, option.capacityType))) {
        failed.push({ ...option, code: "InsufficientInstanceCapacity" });
        continue;
      }
      for (const f of failed) this.unavailableOfferings.mark(f.instanceType, f.zone, f.capacityType, f.code);
      const launched = this.launch(option.instanceType, option.zone, option.capacityType, option.price);
      this.byClientToken.set(token, launched.instanceId);
      this.instances.set(launched.instanceId, {
        launched,
        imageId: this.imageId,
        tags: {
          [tagKeys.cluster]: this.options.clusterName ?? "rafter",
          [tagKeys.nodePool]: options.nodePool.metadata.name ?? "",
          [tagKeys.virtualNode]: virtualNode.metadata.name ?? "",
          [tagKeys.name]: launched.nodeName,
          ...(options.nodeClass?.metadata.name
            ? { [tagKeys.nodeClass]: options.nodeClass.metadata.name }
            : {}),
        },
      });
      return ok(launched);
    }
    for (const f of failed) this.unavailableOfferings.mark(f.instanceType, f.zone, f.capacityType, f.code);
    return fail({
      kind: "InsufficientCapacity",
      message: `insufficient capacity for all ${failed.length} offerings`,
      offerings: failed,
    });
  }

  delete(providerId: string): Promise<Result<"terminating", DeleteError>> {
    this.calls.delete++;
    if (this.consumeThrottle())
      return Promise.resolve(fail(throttled("simulated RequestLimitExceeded", 1000)));
    const instance = this.lookup(providerId);
    if (!instance || this.state(instance) === "terminated") {
      return Promise.resolve(fail(notFound(`instance ${providerId} not found`, providerId)));
    }
    instance.terminatedAt ??= this.clock.now();
    return Promise.resolve(ok("terminating" as const));
  }

  get(providerId: string): Promise<Result<CloudInstance, DeleteError>> {
    this.calls.get++;
    if (this.consumeThrottle())
      return Promise.resolve(fail(throttled("simulated RequestLimitExceeded", 1000)));
    const instance = this.lookup(providerId);
    if (!instance || this.state(instance) === "terminated") {
      return Promise.resolve(fail(notFound(`instance ${providerId} not found`, providerId)));
    }
    return Promise.resolve(ok(this.view(instance)));
  }

  list(): Promise<Result<CloudInstance[], ListError>> {
    this.calls.list++;
    if (this.consumeThrottle())
      return Promise.resolve(fail(throttled("simulated RequestLimitExceeded", 1000)));
    const live = [...this.instances.values()].filter((instance) => this.state(instance) !== "terminated");
    return Promise.resolve(ok(live.map((instance) => this.view(instance))));
  }

  instanceTypes(_nodePool: NodePool, nodeClass?: EC2NodeClass): Promise<Result<InstanceType[]>> {
    const kubelet = nodeClass?.spec.kubelet;
    const catalog = kubelet && !this.customCatalog ? loadEmbeddedCatalogWith({ kubelet }) : this.catalog;
    const unavailable = this.unavailableOfferings.keys();
    return Promise.resolve(
      ok(
        catalog.instanceTypes.map((type) => ({
          ...type,
          offerings: type.offerings.map((o) =>
            unavailable.has(offeringKey(type.name, o.zone, o.capacityType)) ? { ...o, available: false } : o,
          ),
        })),
      ),
    );
  }

  resolveNodeClass(_nodeClass: EC2NodeClass): Promise<Result<EC2NodeClassStatus>> {
    const zones = [
      ...new Set(this.catalog.instanceTypes.flatMap((t) => t.offerings.map((o) => o.zone))),
    ].sort();
    return Promise.resolve(
      ok({
        subnets: zones.map((zone, i) => ({ id: `subnet-sim${String(i).padStart(12, "0")}`, zone })),
        securityGroups: [{ id: "sg-sim000000000001", name: "simulated" }],
        amis: [
          { id: this.imageId, name: "simulated-amd64", architecture: "amd64" },
          { id: this.imageId, name: "simulated-arm64", architecture: "arm64" },
        ],
        conditions: [{ type: "Ready", status: "True", reason: "Resolved" }],
      }),
    );
  }

  isDrifted(virtualNode: VirtualNode, nodeClass: EC2NodeClass): Promise<Result<DriftReason | undefined>> {
    const providerId = virtualNode.status?.providerID;
    const instance = providerId === undefined ? undefined : this.lookup(providerId);
    if (!instance)
      return Promise.resolve(fail(notFound(`instance of ${virtualNode.metadata.name ?? ""} not found`)));
    const images = nodeClass.status?.amis?.map((ami) => ami.id) ?? [this.imageId];
    return Promise.resolve(ok(images.includes(instance.imageId) ? undefined : "ImageDrifted"));
  }

  // ---- internals ---------------------------------------------------------------------------

  private consumeThrottle(): boolean {
    if (this.throttledCalls <= 0) return false;
    this.throttledCalls--;
    return true;
  }

  private launch(
    instanceType: string,
    zone: string,
    capacityType: CapacityType,
    price: number,
  ): LaunchedInstance {
    const n = ++this.sequence;
    const instanceId = `i-${n.toString(16).padStart(17, "0")}`;
    const privateIp = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    return {
      instanceId,
      providerId: providerIdFor(zone, instanceId),
      instanceType,
      zone,
      capacityType,
      price,
      nodeName: `ip-${privateIp.replaceAll(".", "-")}.ec2.internal`,
      privateIp,
      launchedAt: this.clock.now(),
    };
  }

  private lookup(providerId: string): SimulatedInstance | undefined {
    const parsed = parseProviderId(providerId);
    return parsed ? this.instances.get(parsed.instanceId) : undefined;
  }

  private state(instance: SimulatedInstance): InstanceState {
    const now = this.clock.now();
    if (instance.terminatedAt !== undefined) {
      return now >= instance.terminatedAt + (this.options.terminationLatencyMs ?? 0)
        ? "terminated"
        : "shutting-down";
    }
    return now >= instance.launched.launchedAt + (this.options.bootLatencyMs ?? 0) ? "running" : "pending";
  }

  private view(instance: SimulatedInstance): CloudInstance {
    const tags = instance.tags;
    return {
      ...instance.launched,
      state: this.state(instance),
      imageId: instance.imageId,
      tags,
      ...(tags[tagKeys.nodePool] ? { nodePool: tags[tagKeys.nodePool] } : {}),
      ...(tags[tagKeys.virtualNode] ? { virtualNode: tags[tagKeys.virtualNode] } : {}),
      ...(tags[tagKeys.nodeClass] ? { nodeClass: tags[tagKeys.nodeClass] } : {}),
    };
  }
}
