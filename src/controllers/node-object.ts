// The Node object rafter creates for a launched instance, before the kubelet registers: named as the
// kubelet will register, with the providerID, the offering's and the NodePool's labels, the NodePool's
// taints and startup taints, and capacity/allocatable from the catalogue. The kubelet adopts it, and
// the pods bound to it start as soon as it does.
import type { V1Node, V1Taint } from "@kubernetes/client-node";
import { withKarpenterAliases } from "../api/karpenter-labels.js";
import type { NodePool } from "../api/nodepool.js";
import type { VirtualNode } from "../api/virtualnode.js";
import type { InstanceType } from "../catalog/types.js";
import type { CapacityType } from "../api/common.js";
import { formatResourceList } from "../domain/resources.js";
import { labelKeys } from "../api/labels.js";
import { terminationFinalizer } from "../kube/virtual-nodes.js";
import { isDeviceResource } from "./binding-policy.js";

export const virtualNodeAnnotation = "rafter.dev/virtualnode";

export interface LaunchedInstanceFacts {
  readonly instanceId: string;
  readonly providerId: string;
  readonly instanceType: string;
  readonly zone: string;
  readonly capacityType: CapacityType;
  readonly nodeName: string;
  readonly privateIp?: string;
}

export function buildNodeObject(
  virtualNode: VirtualNode,
  launched: LaunchedInstanceFacts,
  nodePool: NodePool | undefined,
  instanceType: InstanceType | undefined,
  region: string,
): V1Node {
  const template = nodePool?.spec.template;
  const taints: V1Taint[] = [...(template?.spec.taints ?? []), ...(template?.spec.startupTaints ?? [])].map(
    (taint) => ({
      key: taint.key,
      effect: taint.effect,
      ...(taint.value !== undefined ? { value: taint.value } : {}),
    }),
  );
  // Device resources (nvidia.com/gpu, aws.amazon.com/neuron, …) are left to the kubelet's device
  // plugins: a real kubelet keeps the extended resources of a Node it adopts (e2e 45), so a figure
  // written here would read as advertised before any plugin registered, and a device pod bound on it
  // would run without a device.
  const capacity = instanceType ? formatResourceList(withoutDevices(instanceType.capacity)) : {};
  const allocatable = instanceType ? formatResourceList(withoutDevices(instanceType.allocatable)) : {};
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: launched.nodeName,
      // Karpenter's spellings too, so pods written for Karpenter pass the kubelet's admission.
      labels: withKarpenterAliases({
        ...(instanceType?.labels ?? {}),
        ...(template?.metadata?.labels ?? {}),
        ...requirementLabels(virtualNode),
        [labelKeys.instanceType]: launched.instanceType,
        [labelKeys.zone]: launched.zone,
        [labelKeys.region]: region,
        [labelKeys.capacityType]: launched.capacityType,
        [labelKeys.nodePool]: virtualNode.spec.nodePool,
        [labelKeys.hostname]: launched.nodeName,
      }),
      annotations: {
        ...(template?.metadata?.annotations ?? {}),
        [virtualNodeAnnotation]: virtualNode.metadata.name ?? "",
      },
      finalizers: [terminationFinalizer],
    },
    spec: {
      providerID: launched.providerId,
      ...(taints.length > 0 ? { taints } : {}),
    },
    status: {
      capacity,
      allocatable,
      ...(launched.privateIp ? { addresses: [{ type: "InternalIP", address: launched.privateIp }] } : {}),
    },
  };
}

/** Single-valued `In` requirements become labels (e.g. a custom label a pod selects on). */
function requirementLabels(virtualNode: VirtualNode): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const requirement of virtualNode.spec.requirements) {
    const value = requirement.values?.[0];
    if (
      requirement.operator === "In" &&
      requirement.values?.length === 1 &&
      value !== undefined &&
      !requirement.key.startsWith("rafter.dev/instance")
    )
      labels[requirement.key] = value;
  }
  return labels;
}

function withoutDevices(resources: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(resources).filter(([name]) => !isDeviceResource(name)));
}
