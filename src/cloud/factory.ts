// Chooses the cloud provider from the configuration: EC2 (optionally at a custom endpoint such as a
// moto server) or the in-process simulated cloud for local runs without an AWS account; and the
// interruption source, when a queue is configured.
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Logger } from "../logging.js";
import type { ClusterBootstrap } from "./bootstrap.js";
import { createEc2Client } from "./aws/ec2-client.js";
import { createSsmClient, ssmParameterReader } from "./aws/ssm-parameters.js";
import { embeddedDiscoveredTypes } from "./aws/discovery.js";
import { SqsInterruptionQueue } from "./aws/interruption-queue.js";
import { AwsCloudProvider } from "./aws/provider.js";
import type { InterruptionSource } from "./interruptions.js";
import type { CloudProvider } from "./provider.js";
import { SimulatedCloud } from "./simulated/simulated-cloud.js";
import type { UnavailableOfferings } from "./unavailable-offerings.js";

export interface CloudDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly unavailableOfferings: UnavailableOfferings;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The cluster's facts from cluster discovery (flags, eks:DescribeCluster, /version). */
  readonly bootstrap?: ClusterBootstrap;
}

/**
 * Stand-in until cluster discovery hands its ClusterBootstrap over (issue 16's discovery part):
 * user data rendered from it names the cluster but no endpoint or CA, so only kwok nodes can use it.
 */
function undiscoveredBootstrap(clusterName: string): ClusterBootstrap {
  return {
    clusterName,
    apiServerEndpoint: "",
    certificateAuthority: "",
    serviceCidr: "10.100.0.0/16",
    kubernetesVersion: "1.36",
  };
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
  const { endpoint, credentials } = awsEndpoint(config, deps.env);
  return new AwsCloudProvider({
    ec2: createEc2Client({ region: config.region, endpoint, credentials }),
    readParameter: ssmParameterReader(createSsmClient({ region: config.region, endpoint, credentials })),
    logger: deps.logger,
    clock: deps.clock,
    clusterName: config.clusterName,
    bootstrap: deps.bootstrap ?? undiscoveredBootstrap(config.clusterName),
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
