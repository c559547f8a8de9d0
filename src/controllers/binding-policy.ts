// Which pods rafter may bind itself. Binding through the API skips kube-scheduler's VolumeBinding
// step, which is what provisions a WaitForFirstConsumer volume (it records the selected node on the
// claim) and binds pre-provisioned PVs: a pod whose claims are not all Bound yet is left to
// kube-scheduler, which the extender steers to the reserved node.
// Pods that request a resource only the node's kubelet can advertise (an extended resource such as
// nvidia.com/gpu or aws.amazon.com/neuron, registered by a device plugin) are bound only once the
// kubelet has posted the Node's status with enough of it: a kubelet adopting a Node zeroes extended
// resources until its device plugins register, and rejects a pod bound before that for good
// (UnexpectedAdmissionError). Until then the pod keeps its reservation, so the extender keeps other
// pods off the capacity, and is bound when the Node's status shows the resource.
import type { V1Node, V1PersistentVolumeClaim, V1Pod } from "@kubernetes/client-node";
import { parseResourceList, type Resources } from "../domain/resources.js";
import type { Binder, BindResult } from "../kube/binder.js";
import { fail } from "../domain/result.js";

export function needsVolumeBinding(pod: V1Pod, claims: readonly V1PersistentVolumeClaim[]): boolean {
  const namespace = pod.metadata?.namespace ?? "default";
  for (const volume of pod.spec?.volumes ?? []) {
    // A generic ephemeral volume's claim is created for the pod and bound when it is scheduled.
    if (volume.ephemeral) return true;
    const claimName = volume.persistentVolumeClaim?.claimName;
    if (claimName === undefined) continue;
    const claim = claims.find((c) => c.metadata?.namespace === namespace && c.metadata.name === claimName);
    if (claim?.status?.phase !== "Bound") return true;
  }
  return false;
}

/** Extended resources: a domain-qualified name outside kubernetes.io (nvidia.com/gpu, aws.amazon.com/neuron, …). */
export function isDeviceResource(name: string): boolean {
  const slash = name.indexOf("/");
  if (slash < 0) return false;
  const domain = name.slice(0, slash);
  return domain !== "kubernetes.io" && !domain.endsWith(".kubernetes.io");
}

/** Whether the kubelet has posted this Node's status (rafter's own Node object has no nodeInfo). */
export function kubeletReported(node: V1Node | undefined): boolean {
  return (node?.status?.nodeInfo?.kubeletVersion ?? "") !== "";
}

/**
 * The device resources in `requests` that the Node does not advertise yet, as its kubelet reports
 * it (empty: the pod may be bound). Before the kubelet reports, every requested device is awaited,
 * whatever rafter predicted in the Node it created.
 */
export function awaitedDevices(requests: Resources, node: V1Node | undefined): string[] {
  const devices = Object.keys(requests).filter((name) => isDeviceResource(name) && (requests[name] ?? 0) > 0);
  if (devices.length === 0) return [];
  if (!kubeletReported(node)) return devices;
  const allocatable = parseResourceList(node?.status?.allocatable);
  return devices.filter((name) => (allocatable[name] ?? 0) < (requests[name] ?? 0));
}

export interface DeviceAwareBinderDeps {
  /** The pod's requests, when known (unknown pods are bound as asked). */
  readonly requests: (podUID: string) => Resources | undefined;
  readonly node: (name: string) => V1Node | undefined;
}

/**
 * The extender's bind verb under the same policy: kube-scheduler sees rafter's Node with the
 * predicted devices and may try to bind early; the refusal is an error kube-scheduler retries with
 * backoff, and the reservation stays (the ledger is only changed on success or a missing pod).
 */
export function deviceAwareBinder(inner: Binder, deps: DeviceAwareBinderDeps): Binder {
  return {
    bind(namespace, name, uid, nodeName): Promise<BindResult> {
      const requests = deps.requests(uid);
      // The Node is looked up only for device pods: this is the extender's bind path.
      const awaited =
        requests && Object.keys(requests).some(isDeviceResource)
          ? awaitedDevices(requests, deps.node(nodeName))
          : [];
      if (awaited.length > 0)
        return Promise.resolve(
          fail({
            kind: "error",
            message: `waiting for the kubelet on ${nodeName} to advertise ${awaited.join(", ")}`,
          }),
        );
      return inner.bind(namespace, name, uid, nodeName);
    },
  };
}
