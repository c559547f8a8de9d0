// The two reads around a launch: before it, the instance an earlier attempt (or a crashed process)
// may already have launched for the same VirtualNode, found by its UID tag; after it, the
// instance's private DNS name and IP, which EC2 may take a moment to show.
import type { EC2Client } from "@aws-sdk/client-ec2";
import { tagKeys, type CloudInstance, type LaunchedInstance } from "../provider.js";
import type { Ec2Caller } from "./ec2-caller.js";
import { describeInstances, toCloudInstance, type PriceLookup } from "./instances.js";
import { backoffDelay, exponential } from "../../domain/backoff.js";

/** EC2 is eventually consistent: a new instance is described again after 400 ms, 800 ms, … */
const describeBackoff = exponential(400, Infinity);

export async function findLaunchOf(
  ec2: EC2Client,
  caller: Ec2Caller,
  clusterName: string,
  virtualNodeUid: string,
  price: PriceLookup,
): Promise<LaunchedInstance | undefined> {
  const instances = await describeInstances(ec2, caller, {
    filters: [
      { Name: `tag:${tagKeys.cluster}`, Values: [clusterName] },
      { Name: `tag:${tagKeys.virtualNodeUid}`, Values: [virtualNodeUid] },
      { Name: "instance-state-name", Values: ["pending", "running"] },
    ],
  });
  const first = instances[0];
  const view = first ? toCloudInstance(first, price) : undefined;
  return view ? launchFacts(view) : undefined;
}

export interface DescribeLaunchedOptions {
  readonly region: string;
  readonly sleep: (ms: number) => Promise<void>;
  readonly price: PriceLookup;
  /** DescribeInstances rounds before giving up on the DNS name. Default 5. */
  readonly attempts?: number;
}

export async function describeLaunched(
  ec2: EC2Client,
  caller: Ec2Caller,
  instanceId: string,
  options: DescribeLaunchedOptions,
): Promise<LaunchedInstance> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const [instance] = await describeInstances(ec2, caller, { instanceIds: [instanceId] });
    const view = instance ? toCloudInstance(instance, options.price) : undefined;
    // EC2 is eventually consistent: a just-launched instance may be unknown or lack its DNS name.
    if (view && (view.nodeName || attempt >= attempts)) {
      return {
        ...launchFacts(view),
        nodeName: view.nodeName || fallbackDnsName(view.privateIp, options.region),
      };
    }
    if (attempt >= attempts) {
      throw Object.assign(new Error(`launched instance ${instanceId} is not visible`), {
        name: "InvalidInstanceID.NotFound",
      });
    }
    await options.sleep(backoffDelay(describeBackoff, attempt));
  }
}

function launchFacts(view: CloudInstance): LaunchedInstance {
  return {
    instanceId: view.instanceId,
    providerId: view.providerId,
    instanceType: view.instanceType,
    zone: view.zone,
    capacityType: view.capacityType,
    price: view.price,
    nodeName: view.nodeName,
    ...(view.privateIp ? { privateIp: view.privateIp } : {}),
    launchedAt: view.launchedAt,
  };
}

/** EC2's hostname scheme, used only when DescribeInstances has not shown the name yet. */
function fallbackDnsName(ip: string | undefined, region: string): string {
  if (!ip) return "";
  const host = `ip-${ip.replaceAll(".", "-")}`;
  return region === "us-east-1" ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}
