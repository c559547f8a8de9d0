// Chooses the cloud provider from the configuration: EC2 (optionally at a custom endpoint such as a
// moto server) or the in-process simulated cloud for local runs without an AWS account; and the
// interruption source, when a queue is configured.
import type { Clock, Timers } from "../clock.js";
import { OnDemandPriceBook, startPriceRefresh, type PriceSource } from "../catalog/on-demand-prices.js";
import { createPricingClient, pricingApiFetcher } from "./aws/pricing.js";
import type { Config } from "../config.js";
import type { Logger } from "../logging.js";
import { createEc2Client } from "./aws/ec2-client.js";
import { createSsmClient, ssmParameterReader } from "./aws/ssm-parameters.js";
import { embeddedDiscoveredTypes } from "./aws/discovery.js";
import { SqsInterruptionQueue } from "./aws/interruption-queue.js";
import { AwsCloudProvider } from "./aws/provider.js";
import type { InterruptionSource } from "./interruptions.js";
import type { CloudProvider } from "./provider.js";
import { SimulatedCloud } from "./simulated/simulated-cloud.js";
import type { UnavailableOfferings } from "./unavailable-offerings.js";
import { discoverClusterBootstrap, type ClusterBootstrap } from "./cluster-bootstrap.js";
import { createEksClient, eksClusterDescriber } from "./aws/eks-cluster.js";
import { createIamClient, InstanceProfiles } from "./aws/instance-profiles.js";

export interface CloudDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly unavailableOfferings: UnavailableOfferings;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Schedules the on-demand price refresh (aws only; none without timers). */
  readonly timers?: Timers | undefined;
  /** The on-demand price source in use, after each refresh (rafter_price_source). */
  readonly onPriceSource?: ((source: PriceSource) => void) | undefined;
  /** What nodes need to join (discovered at start-up); required with --cloud aws. */
  readonly bootstrap?: ClusterBootstrap | undefined;
}

/** Where rafter's AWS clients go: the SDK's defaults, or a local server (moto) with static keys. */
export function awsClientOptions(config: Config, env: Readonly<Record<string, string | undefined>>) {
  return { region: config.region, ...awsEndpoint(config, env) };
}

/**
 * What nodes need to join, for --cloud aws: the flags, else eks:DescribeCluster, the CA else the
 * kubeconfig's; the version from the API server. A missing value is a ConfigError (exit 2).
 */
export function discoverBootstrap(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
  kube: { caBundle: () => string | undefined; serverVersion: () => Promise<string> },
): Promise<ClusterBootstrap> {
  return discoverClusterBootstrap({
    clusterName: config.clusterName,
    flags: {
      endpoint: config.clusterEndpoint,
      caBundle: config.clusterCaBundle,
      serviceCidr: config.serviceCidr,
    },
    describeCluster: eksClusterDescriber(createEksClient(awsClientOptions(config, env))),
    kubeconfigCaBundle: kube.caBundle,
    serverVersion: kube.serverVersion,
  });
}

export function createCloudProvider(config: Config, deps: CloudDeps): CloudProvider {
  if (config.cloud === "simulated") {
    return new SimulatedCloud({
      clock: deps.clock,
      clusterName: config.clusterName,
      unavailableOfferings: deps.unavailableOfferings,
      launchLatencyMs: 500,
    });
  }
  // Nodes launched without the cluster's endpoint, CA and CIDR could never join: no provider without them.
  const bootstrap = deps.bootstrap;
  if (!bootstrap)
    throw new Error("--cloud aws needs the cluster bootstrap (discoverBootstrap) to launch nodes");
  const clientOptions = awsClientOptions(config, deps.env);
  const endpoint = clientOptions.endpoint;
  const priceBook = new OnDemandPriceBook(config.region);
  // A local EC2 server (moto) has no Pricing API: the shipped prices stay.
  if (endpoint === undefined && deps.timers)
    startPriceRefresh(priceBook, pricingApiFetcher(createPricingClient(clientOptions)), {
      timers: deps.timers,
      logger: deps.logger.child({ component: "prices" }),
      intervalMs: 12 * 3_600_000,
      onSource: deps.onPriceSource ?? (() => undefined),
    });
  else deps.onPriceSource?.(priceBook.source());
  return new AwsCloudProvider({
    ec2: createEc2Client(clientOptions),
    readParameter: ssmParameterReader(createSsmClient(clientOptions)),
    instanceProfiles: new InstanceProfiles(createIamClient(clientOptions), config.clusterName),
    priceBook,
    logger: deps.logger,
    clock: deps.clock,
    clusterName: config.clusterName,
    bootstrap,
    region: config.region,
    unavailableOfferings: deps.unavailableOfferings,
    // A local EC2 server's spot price history is a constant; the catalogue's estimates are closer.
    spotPrices: endpoint === undefined ? "ec2" : "estimate",
    // moto serves the very data the embedded snapshot was built from: start from it instead of
    // waiting seconds for DescribeInstanceTypes (refreshed from the endpoint after the cache TTL).
    ...(endpoint === undefined ? {} : { initialTypes: embeddedDiscoveredTypes(config.region) }),
  });
}

/** The SQS queue of --interruption-queue (at the EC2 endpoint override, if any); undefined without one. */
export function createInterruptionSource(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
): InterruptionSource | undefined {
  if (config.interruptionQueue === "") return undefined;
  const { endpoint, credentials } = awsEndpoint(config, env);
  return new SqsInterruptionQueue({
    queueName: config.interruptionQueue,
    region: config.region,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
  });
}

function awsEndpoint(config: Config, env: Readonly<Record<string, string | undefined>>) {
  const endpoint = config.ec2Endpoint === "" ? undefined : config.ec2Endpoint;
  // A custom endpoint without credentials in the environment is a local EC2 server (moto): it accepts
  // any static key, and the SDK's default chain would otherwise look for an instance profile.
  const credentials =
    endpoint !== undefined && env.AWS_ACCESS_KEY_ID === undefined
      ? { accessKeyId: "testing", secretAccessKey: "testing" }
      : undefined;
  return { endpoint, credentials };
}
