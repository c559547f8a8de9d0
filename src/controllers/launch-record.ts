// A launch as the VirtualNode's status records it: written once the cloud returns an instance, and
// read back by every later run, so a run resumed after a crash continues from the recorded instance
// instead of launching another.
import type { VirtualNodeStatus } from "../api/virtualnode.js";
import type { LaunchedInstance } from "../cloud/provider.js";
import type { LaunchedInstanceFacts } from "./node-object.js";
import { setCondition } from "./virtual-node-status.js";

/** The status once `launched` is running: phase Launched, its facts, and the Launched condition. */
export function launchedStatus(
  status: VirtualNodeStatus,
  launched: LaunchedInstance,
  now: number,
): VirtualNodeStatus {
  return setCondition(
    {
      ...status,
      phase: "Launched",
      instanceID: launched.instanceId,
      providerID: launched.providerId,
      instanceType: launched.instanceType,
      zone: launched.zone,
      capacityType: launched.capacityType,
      price: launched.price.toFixed(4),
      nodeName: launched.nodeName,
      launchedAt: new Date(launched.launchedAt).toISOString(),
      ...(launched.privateIp ? { privateIP: launched.privateIp } : {}),
    },
    { type: "Launched", status: "True", reason: "Launched", message: `instance ${launched.instanceId}` },
    now,
  );
}

/** The recorded launch facts, or undefined while the status does not hold all of them. */
export function launchFactsFrom(status: VirtualNodeStatus): LaunchedInstanceFacts | undefined {
  if (
    !status.instanceID ||
    !status.providerID ||
    !status.nodeName ||
    !status.instanceType ||
    !status.zone ||
    !status.capacityType
  )
    return undefined;
  return {
    instanceId: status.instanceID,
    providerId: status.providerID,
    instanceType: status.instanceType,
    zone: status.zone,
    capacityType: status.capacityType,
    nodeName: status.nodeName,
    ...(status.privateIP ? { privateIp: status.privateIP } : {}),
  };
}
