// Chooses the cloud provider from the configuration: EC2 (optionally at a custom endpoint such as a
// moto server) or the in-process simulated cloud for local runs without an AWS account.
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Logger } from "../logging.js";
import type { CloudProvider } from "./provider.js";
import { SimulatedCloud } from "./simulated/simulated-cloud.js";
import type { UnavailableOfferings } from "./unavailable-offerings.js";

export interface CloudDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly unavailableOfferings: UnavailableOfferings;
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
  throw new Error("the AWS provider is not wired yet");
}
