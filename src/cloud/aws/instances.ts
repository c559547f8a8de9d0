// Instances as the port sees them, and the EC2 reads behind get/list.
import { DescribeInstancesCommand, type EC2Client, type Filter, type Instance } from "@aws-sdk/client-ec2";
import type { CapacityType } from "../../api/common.js";
import { providerIdFor, tagKeys, type CloudInstance } from "../provider.js";
import type { Ec2Caller } from "./ec2-caller.js";

export type PriceLookup = (
  instanceType: string,
  zone: string,
  capacityType: CapacityType,
) => number | undefined;

export function toCloudInstance(instance: Instance, price: PriceLookup): CloudInstance | undefined {
  const instanceId = instance.InstanceId;
  const zone = instance.Placement?.AvailabilityZone;
  const instanceType = instance.InstanceType;
  if (!instanceId || !zone || !instanceType) return undefined;
  const tags: Record<string, string> = {};
  for (const tag of instance.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? "";
  const capacityType: CapacityType = instance.InstanceLifecycle === "spot" ? "spot" : "on-demand";
  const stateName = instance.State?.Name ?? "pending";
  const nodePool = tags[tagKeys.nodePool];
  const virtualNode = tags[tagKeys.virtualNode];
  const nodeClass = tags[tagKeys.nodeClass];
  return {
    instanceId,
    providerId: providerIdFor(zone, instanceId),
    instanceType,
    zone,
    capacityType,
    price: price(instanceType, zone, capacityType) ?? 0,
    nodeName: instance.PrivateDnsName ?? "",
    ...(instance.PrivateIpAddress ? { privateIp: instance.PrivateIpAddress } : {}),
    launchedAt: instance.LaunchTime?.getTime() ?? 0,
    state: stateName,
    ...(instance.ImageId ? { imageId: instance.ImageId } : {}),
    ...(instance.SubnetId ? { subnetId: instance.SubnetId } : {}),
    securityGroupIds: (instance.SecurityGroups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
    ...(nodePool ? { nodePool } : {}),
    ...(virtualNode ? { virtualNode } : {}),
    ...(nodeClass ? { nodeClass } : {}),
    tags,
  };
}

/** Every instance matching the filters or ids, all pages. */
export async function describeInstances(
  ec2: EC2Client,
  caller: Ec2Caller,
  query: { instanceIds?: string[]; filters?: Filter[] },
): Promise<Instance[]> {
  const out: Instance[] = [];
  let token: string | undefined;
  do {
    const page = await caller.call("DescribeInstances", () =>
      ec2.send(
        new DescribeInstancesCommand({
          ...(query.instanceIds ? { InstanceIds: query.instanceIds } : {}),
          ...(query.filters ? { Filters: query.filters } : {}),
          // MaxResults cannot be combined with InstanceIds.
          ...(query.instanceIds ? {} : { MaxResults: 1000 }),
          NextToken: token,
        }),
      ),
    );
    for (const reservation of page.Reservations ?? []) out.push(...(reservation.Instances ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

export const liveStates = ["pending", "running", "shutting-down", "stopping", "stopped"];
