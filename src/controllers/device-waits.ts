// Pods the launcher holds back until a Node's kubelet advertises the devices they request
// (binding-policy.ts): remembered per Node with the reason they were being bound, and handed back
// when an update of that Node lets at least one of them go.
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { podRequests } from "../domain/pod-requests.js";
import { awaitedDevices } from "./binding-policy.js";
import { podKey } from "../domain/pod-key.js";

export class DeviceWaits {
  /** Node name → pod key → origin (the binding event's wording). */
  private readonly byNode = new Map<string, Map<string, string>>();

  hold(nodeName: string, pod: V1Pod, origin: string): void {
    let waiting = this.byNode.get(nodeName);
    if (!waiting) this.byNode.set(nodeName, (waiting = new Map<string, string>()));
    waiting.set(podKey(pod), origin);
  }

  /**
   * The held pods to bind again now, grouped by origin, when this Node update lets one of them go
   * (those still short are held again by the next binding pass); undefined when nothing changed.
   */
  due(node: V1Node, pods: readonly V1Pod[]): Map<string, V1Pod[]> | undefined {
    const nodeName = node.metadata?.name ?? "";
    const waiting = this.byNode.get(nodeName);
    if (!waiting) return undefined;
    const held = pods.filter((pod) => waiting.has(podKey(pod)) && !pod.spec?.nodeName);
    if (held.length > 0 && held.every((pod) => awaitedDevices(podRequests(pod), node).length > 0))
      return undefined;
    this.byNode.delete(nodeName);
    const byOrigin = new Map<string, V1Pod[]>();
    for (const pod of held) {
      const origin = waiting.get(podKey(pod)) ?? "";
      byOrigin.set(origin, [...(byOrigin.get(origin) ?? []), pod]);
    }
    return byOrigin;
  }

  forgetNode(nodeName: string): void {
    this.byNode.delete(nodeName);
  }
}
