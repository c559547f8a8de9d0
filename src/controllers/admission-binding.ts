// Admission-time binding: pods a plan placed are bound to their Node by rafter itself, as soon as the
// Node exists, rather than left to kube-scheduler (whose backoff can keep a pod it once found
// unschedulable waiting for minutes). Pods whose volumes kube-scheduler must bind are left to it
// (binding-policy.ts); pods requesting devices wait here until the Node's kubelet advertises them.
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { bindResultLabel, type Binder } from "../kube/binder.js";
import type { Clock } from "../clock.js";
import type { EventRecorder } from "../kube/events.js";
import { podTarget } from "../kube/events.js";
import type { Logger } from "../logging.js";
import type { ProvisioningMetrics } from "../metrics/provisioning.js";
import type { ReservationLedger } from "../state/reservation-ledger.js";
import { podRequests } from "../domain/pod-requests.js";
import type { ClusterReader } from "./cluster-reader.js";
import type { Failpoint } from "../failpoint.js";
import { awaitedDevices, needsVolumeBinding } from "./binding-policy.js";
import { DeviceWaits } from "./device-waits.js";
import { reportPodBound } from "./pod-bound.js";
import { millis } from "../domain/timestamps.js";
import { errorMessage } from "../domain/error-message.js";
import { podKey } from "../domain/pod-key.js";

export interface AdmissionBindingDeps {
  readonly reader: ClusterReader;
  readonly binder: Binder;
  readonly ledger: ReservationLedger;
  readonly events: EventRecorder;
  readonly metrics: ProvisioningMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Crash-test hook at each step of a launch (see src/failpoint.ts); absent in normal runs. */
  readonly failpoint?: Failpoint;
}

export class AdmissionBinder {
  /** Pods held back until their Node's kubelet advertises the devices they request. */
  private readonly deviceWaits = new DeviceWaits();

  constructor(private readonly deps: AdmissionBindingDeps) {}

  /**
   * Binds every given pod that still waits to the Node at once (`origin` says why, in the pod's
   * event), except pods whose volumes kube-scheduler must bind and pods waiting for devices. Returns
   * how many of the pods are bound to the Node, by this call or before it.
   */
  async bindEach(origin: string, pods: readonly V1Pod[], nodeName: string, log: Logger): Promise<number> {
    let bound = 0;
    const claims = this.deps.reader.persistentVolumeClaims();
    const node = this.deps.reader.nodes().find((n) => n.metadata?.name === nodeName);
    const binds = pods.map(async (pod) => {
      if (pod.spec?.nodeName) {
        if (pod.spec.nodeName === nodeName) bound++;
        return;
      }
      if (needsVolumeBinding(pod, claims)) return; // kube-scheduler binds it, steered by its reservation
      const awaited = awaitedDevices(podRequests(pod), node);
      if (awaited.length > 0) {
        // Reserved, not bound: nodeUpdated() binds it once the kubelet advertises the devices.
        this.deviceWaits.hold(nodeName, pod, origin);
        log.debug({ pod: podKey(pod), awaited }, "binding waits for the kubelet's devices");
        return;
      }
      if (await this.bindOne(origin, pod, nodeName, log)) bound++;
    });
    await Promise.all(binds);
    return bound;
  }

  /** bindEach for callers that do not wait: a failure is logged (`what` names the pods), not thrown. */
  bindInBackground(
    origin: string,
    pods: readonly V1Pod[],
    nodeName: string,
    log: Logger,
    what: string,
  ): void {
    void this.bindEach(origin, pods, nodeName, log).catch((error: unknown) => {
      log.warn({ err: errorMessage(error) }, `binding ${what} failed`);
    });
  }

  /** A Node changed: pods waiting for its devices are bound once its kubelet advertises them. */
  nodeUpdated(node: V1Node): void {
    const due = this.deviceWaits.due(node, this.deps.reader.pods());
    if (!due) return;
    const nodeName = node.metadata?.name ?? "";
    const log = this.deps.logger.child({ node: nodeName });
    for (const [origin, pods] of due) this.bindInBackground(origin, pods, nodeName, log, "device pods");
  }

  /** A Node was deleted: forget the pods held for its devices. */
  nodeDeleted(nodeName: string): void {
    this.deviceWaits.forgetNode(nodeName);
  }

  /** Binds one pod; true when it is bound to the Node (by this call or by a caller it joined). */
  private async bindOne(origin: string, pod: V1Pod, nodeName: string, log: Logger): Promise<boolean> {
    const namespace = pod.metadata?.namespace ?? "default";
    const podName = pod.metadata?.name ?? "";
    const uid = pod.metadata?.uid ?? "";
    const result = await this.deps.binder.bind(namespace, podName, uid, nodeName);
    this.deps.metrics.bindings.inc({ result: bindResultLabel(result) });
    if (!result.ok) {
      log.debug(
        { pod: `${namespace}/${podName}`, result: result.error.kind, message: result.error.message },
        "binding skipped",
      );
      if (result.error.kind === "not-found") this.deps.ledger.release(uid);
      return false;
    }
    // Joined: another caller (kube-scheduler through the extender, or an earlier pass over this node)
    // made this binding and reported it.
    if (result.value.joined) return true;
    this.deps.failpoint?.("pod-bound");
    log.debug({ pod: `${namespace}/${podName}`, node: nodeName }, "pod bound");
    this.deps.ledger.assume({ podUID: uid, nodeName, requests: podRequests(pod), namespace, name: podName });
    reportPodBound(this.deps, {
      pod: podTarget(pod),
      nodeName,
      origin,
      boundAt: this.deps.clock.now(),
      podCreatedAt: millis(pod.metadata?.creationTimestamp),
    });
    return true;
  }
}
