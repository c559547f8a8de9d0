// The CloudProvider port on EC2. Dependencies (EC2 client, logger, clock, retry timing) come in
// through the constructor; this file composes the catalogue, node-class resolution, the CreateFleet
// launch and the terminate batcher, and maps their failures to the port's errors.
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { Condition } from "../../api/common.js";
import type { EC2NodeClass, EC2NodeClassStatus } from "../../api/ec2nodeclass.js";
import type { NodePool } from "../../api/nodepool.js";
import type { VirtualNode } from "../../api/virtualnode.js";
import { OnDemandPriceBook, type PriceSource } from "../../catalog/on-demand-prices.js";
import { offeringKey, type InstanceType } from "../../catalog/types.js";
import type { Clock } from "../../clock.js";
import type { Logger } from "../../logging.js";
import type { ClusterBootstrap } from "../cluster-bootstrap.js";
import * as errors from "../errors.js";
import * as port from "../provider.js";
import { UnavailableOfferings } from "../unavailable-offerings.js";
import { CatalogSource, nodeClassCatalogSettings, type SpotPriceSource } from "./catalog-source.js";
import type { DiscoveredTypes } from "./discovery.js";
import { Ec2Caller } from "./ec2-caller.js";
import { isStaleResourceError, toCloudError } from "./error-codes.js";
import { FleetLauncher } from "./fleet-launch.js";
import { describeInstances, liveStates, toCloudInstance, type PriceLookup } from "./instances.js";
import { findLaunchOf } from "./launched-instance.js";
import { LaunchTemplates } from "./launch-templates.js";
import { invalidNodeClassStatus, nodeClassStatus } from "./nodeclass-resolver.js";
import { NodeClassResolutions } from "./nodeclass-resolutions.js";
import { defaultMutatingRateLimit, TokenBucket, type RateLimit } from "./rate-limiter.js";
import type { ParameterReader } from "./ami-aliases.js";
import type { InstanceProfiles } from "./instance-profiles.js";
import { defaultRetryPolicy, type RetryPolicy } from "./retry.js";
import { TerminateBatcher, type TerminateBatcherOptions } from "./terminate-batcher.js";
import { errorMessage } from "../../domain/error-message.js";

type Result<T, E = errors.CloudError> = errors.Result<T, E>;
const { ok, fail } = errors;

export interface AwsCloudProviderOptions {
  readonly ec2: EC2Client;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly clusterName: string;
  readonly region: string;
  /** The cluster facts nodes join with (user data) and whose Kubernetes version picks the images. */
  readonly bootstrap: ClusterBootstrap;
  /** Throttling backoff; tests inject sleep/random. */
  readonly retry?: Partial<RetryPolicy>;
  /** Shared with the planner; a fresh one (3-minute TTL) when absent. */
  readonly unavailableOfferings?: UnavailableOfferings;
  /** Default "ec2". moto's spot history is a constant, so runs against moto may prefer "estimate". */
  readonly spotPrices?: SpotPriceSource;
  /** A fixed table (tests); otherwise `priceBook`. */
  readonly onDemandPrices?: ReadonlyMap<string, number>;
  /** On-demand prices and their source; the shipped table for `region` (or us-east-1's as an estimate) when absent. */
  readonly priceBook?: OnDemandPriceBook;
  readonly instanceTypesTtlMs?: number;
  /**
   * Instance types already discovered (e.g. by another provider of the same account, or a start-up
   * snapshot): the first catalogue is built without waiting for DescribeInstanceTypes, which takes
   * seconds; EC2 is asked again once instanceTypesTtlMs has passed.
   */
  readonly initialTypes?: DiscoveredTypes | undefined;
  readonly spotPricesTtlMs?: number;
  readonly nodeClassTtlMs?: number;
  /** CreateFleet rounds per create() when offerings run out of capacity. Default 3. */
  readonly maxLaunchAttempts?: number;
  readonly terminate?: TerminateBatcherOptions;
  /** Pace of mutating EC2 calls (default 5/s, burst 10); false turns pacing off. */
  readonly mutatingRateLimit?: RateLimit | false;
  /** Creates and reuses the instance profile of a node class's `role`; such node classes are invalid without it. */
  readonly instanceProfiles?: Pick<InstanceProfiles, "ensure">;
  /** Reads SSM parameters for AMI aliases (al2023@latest); aliases are reported unsupported without it. */
  readonly readParameter?: ParameterReader;
}

export class AwsCloudProvider implements port.CloudProvider {
  readonly name = "aws";
  readonly unavailableOfferings: UnavailableOfferings;
  private readonly ec2: EC2Client;
  private readonly caller: Ec2Caller;
  private readonly policy: RetryPolicy;
  private readonly catalogSource: CatalogSource;
  private readonly templates: LaunchTemplates;
  private readonly terminator: TerminateBatcher;
  private readonly nodeClasses: NodeClassResolutions;
  private readonly fleet: FleetLauncher;
  private readonly logger: Logger;
  private readonly priceBook: OnDemandPriceBook;
  private readonly priceOf: PriceLookup = (type, zone, capacityType) =>
    this.catalogSource.price(type, zone, capacityType);

  constructor(private readonly options: AwsCloudProviderOptions) {
    this.ec2 = options.ec2;
    this.priceBook = options.priceBook ?? new OnDemandPriceBook(options.region);
    this.logger = options.logger.child({ component: "cloud-aws" });
    this.policy = { ...defaultRetryPolicy, ...options.retry };
    const limit = options.mutatingRateLimit ?? defaultMutatingRateLimit;
    this.caller = new Ec2Caller(
      this.policy,
      this.logger,
      limit === false ? undefined : new TokenBucket(limit, options.clock, this.policy.sleep),
    );
    this.unavailableOfferings =
      options.unavailableOfferings ?? new UnavailableOfferings({ clock: options.clock });
    this.catalogSource = new CatalogSource({
      ec2: this.ec2,
      caller: this.caller,
      clock: options.clock,
      region: options.region,
      onDemandPrices: options.onDemandPrices ?? this.priceBook,
      spotPrices: options.spotPrices ?? "ec2",
      typesTtlMs: options.instanceTypesTtlMs ?? 10 * 60_000,
      spotTtlMs: options.spotPricesTtlMs ?? 5 * 60_000,
      initialTypes: options.initialTypes,
    });
    this.templates = new LaunchTemplates(this.ec2, this.caller, options, this.logger);
    this.terminator = new TerminateBatcher(this.ec2, this.caller, options.terminate);
    this.nodeClasses = new NodeClassResolutions({
      ec2: this.ec2,
      caller: this.caller,
      clock: options.clock,
      ttlMs: options.nodeClassTtlMs ?? 60_000,
      kubernetesVersion: options.bootstrap.kubernetesVersion,
      instanceProfiles: options.instanceProfiles,
      readParameter: options.readParameter,
    });
    this.fleet = new FleetLauncher({
      ec2: this.ec2,
      caller: this.caller,
      logger: this.logger,
      cluster: options,
      region: options.region,
      sleep: this.policy.sleep,
      templates: this.templates,
      unavailableOfferings: this.unavailableOfferings,
      price: this.priceOf,
      maxRounds: options.maxLaunchAttempts ?? 3,
    });
  }

  async create(
    virtualNode: VirtualNode,
    options: port.CreateOptions,
  ): Promise<Result<port.LaunchedInstance, port.CreateError>> {
    return this.createOnce(virtualNode, options, true);
  }

  private async createOnce(
    virtualNode: VirtualNode,
    options: port.CreateOptions,
    mayRefresh: boolean,
  ): Promise<Result<port.LaunchedInstance, port.CreateError>> {
    const nodeClass = options.nodeClass;
    if (!nodeClass)
      return fail(errors.invalidNodeClass("NodeClassMissing", "the NodePool's EC2NodeClass was not given"));
    const uid = virtualNode.metadata.uid ?? virtualNode.metadata.name ?? "";
    try {
      // A launch that happened before a crash is found by its tag before anything new is launched.
      const existing = await findLaunchOf(this.ec2, this.caller, this.options.clusterName, uid, this.priceOf);
      if (existing) return ok(existing);
      const resolved = await this.nodeClasses.resolve(nodeClass);
      if (!resolved.ok) return resolved;
      const { catalog } = await this.catalogSource.catalog(nodeClassCatalogSettings(nodeClass));
      return await this.fleet.launch({
        virtualNode,
        nodePool: options.nodePool,
        nodeClass,
        resolved: resolved.value,
        instanceTypes: catalog.instanceTypes,
      });
    } catch (error) {
      if (mayRefresh && isStaleResourceError(error)) {
        // Something this process cached was deleted: look everything up again and retry once.
        this.logger.warn({ err: errorMessage(error) }, "cached EC2 resource gone; refreshing");
        this.templates.forgetAll();
        this.nodeClasses.clear();
        return this.createOnce(virtualNode, options, false);
      }
      const cloudError = toCloudError(error);
      return fail(
        cloudError.kind === "NotFound" || cloudError.kind === "InsufficientCapacity"
          ? errors.cloudFailure(cloudError.message)
          : cloudError,
      );
    }
  }

  async delete(providerId: string): Promise<Result<"terminating", port.DeleteError>> {
    const parsed = port.parseProviderId(providerId);
    if (!parsed) return fail(errors.notFound(`malformed provider id ${providerId}`, providerId));
    try {
      const outcome = await this.terminator.terminate(parsed.instanceId);
      return outcome === "gone"
        ? fail(errors.notFound(`instance ${parsed.instanceId} is gone`, providerId))
        : ok("terminating");
    } catch (error) {
      return fail(deleteError(error));
    }
  }

  async get(providerId: string): Promise<Result<port.CloudInstance, port.DeleteError>> {
    const parsed = port.parseProviderId(providerId);
    if (!parsed) return fail(errors.notFound(`malformed provider id ${providerId}`, providerId));
    try {
      const [instance] = await describeInstances(this.ec2, this.caller, { instanceIds: [parsed.instanceId] });
      const view = instance ? toCloudInstance(instance, this.priceOf) : undefined;
      if (!view || view.state === "terminated")
        return fail(errors.notFound(`instance ${parsed.instanceId} not found`, providerId));
      return ok(view);
    } catch (error) {
      return fail(deleteError(error));
    }
  }

  async list(): Promise<Result<port.CloudInstance[], port.ListError>> {
    try {
      const instances = await describeInstances(this.ec2, this.caller, {
        filters: [
          { Name: `tag:${port.tagKeys.cluster}`, Values: [this.options.clusterName] },
          { Name: "instance-state-name", Values: liveStates },
        ],
      });
      return ok(instances.flatMap((i) => toCloudInstance(i, this.priceOf) ?? []));
    } catch (error) {
      const e = toCloudError(error);
      return fail(e.kind === "Throttled" ? e : errors.cloudFailure(e.message));
    }
  }

  async instanceTypes(_nodePool: NodePool, nodeClass?: EC2NodeClass): Promise<Result<InstanceType[]>> {
    try {
      let zones: ReadonlySet<string> | undefined;
      if (nodeClass) {
        const resolved = await this.nodeClasses.resolve(nodeClass);
        if (!resolved.ok) return resolved;
        zones = new Set(resolved.value.subnets.map((s) => s.zone));
      }
      const { catalog } = await this.catalogSource.catalog(
        nodeClass ? nodeClassCatalogSettings(nodeClass) : {},
      );
      const unavailable = this.unavailableOfferings.keys();
      return ok(
        catalog.instanceTypes.flatMap((type) => {
          const offerings = type.offerings
            .filter((o) => !zones || zones.has(o.zone))
            .map((o) =>
              unavailable.has(offeringKey(type.name, o.zone, o.capacityType))
                ? { ...o, available: false }
                : o,
            );
          return offerings.length > 0 ? [{ ...type, offerings }] : [];
        }),
      );
    } catch (error) {
      return fail(toCloudError(error));
    }
  }

  async resolveNodeClass(nodeClass: EC2NodeClass): Promise<Result<EC2NodeClassStatus>> {
    const now = new Date(this.options.clock.now());
    try {
      const resolved = await this.nodeClasses.resolve(nodeClass);
      // An unresolvable node class is a status to show, not an error of this call.
      const status = resolved.ok
        ? nodeClassStatus(resolved.value, now)
        : invalidNodeClassStatus(resolved.error, now);
      return ok({
        ...status,
        conditions: [
          ...(status.conditions ?? []),
          priceCondition(this.priceBook.source(), this.options.region, now),
        ],
      });
    } catch (error) {
      return fail(toCloudError(error));
    }
  }

  async isDrifted(
    virtualNode: VirtualNode,
    nodeClass: EC2NodeClass,
  ): Promise<Result<port.DriftReason | undefined>> {
    const providerId = virtualNode.status?.providerID;
    if (!providerId)
      return fail(errors.notFound(`virtual node ${virtualNode.metadata.name ?? ""} has no instance`));
    const instance = await this.get(providerId);
    if (!instance.ok) return instance;
    try {
      const resolved = await this.nodeClasses.resolve(nodeClass);
      if (!resolved.ok) return resolved;
      const { images, subnets, securityGroups } = resolved.value;
      const i = instance.value;
      if (i.imageId && !images.some((image) => image.id === i.imageId)) return ok("ImageDrifted");
      if (i.subnetId && !subnets.some((s) => s.id === i.subnetId)) return ok("SubnetDrifted");
      const wanted = new Set(securityGroups.map((g) => g.id));
      const actual = i.securityGroupIds ?? [];
      if (actual.length > 0 && (actual.length !== wanted.size || actual.some((id) => !wanted.has(id)))) {
        return ok("SecurityGroupDrifted");
      }
      return ok(undefined);
    } catch (error) {
      return fail(toCloudError(error));
    }
  }

  /** Deletes this cluster's launch templates not used by this process; returns their names. */
  garbageCollectLaunchTemplates(): Promise<string[]> {
    return this.templates.deleteUnused(this.templates.knownNames());
  }
}

/**
 * Which on-demand prices the catalogue uses, on each EC2NodeClass: True for this region's prices
 * (Pricing API or the shipped table), False while us-east-1's stand in as an estimate.
 */
function priceCondition(source: PriceSource, region: string, now: Date): Condition {
  const [status, reason, message]: [Condition["status"], string, string] =
    source === "pricing-api"
      ? ["True", "PricingAPI", `on-demand prices for ${region} from the AWS Pricing API`]
      : source === "embedded"
        ? ["True", "Embedded", `on-demand prices for ${region} from rafter's shipped table`]
        : [
            "False",
            "EstimateFromUsEast1",
            `no prices for ${region} yet: us-east-1's stand in as an estimate`,
          ];
  return { type: "OnDemandPrices", status, reason, message, lastTransitionTime: now.toISOString() };
}

function deleteError(error: unknown): port.DeleteError {
  const e = toCloudError(error);
  return e.kind === "NotFound" || e.kind === "Throttled" || e.kind === "Failed"
    ? e
    : errors.cloudFailure(e.message);
}
