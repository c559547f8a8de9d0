// Registration and liveness of launched capacity. Launched → Registered (the kubelet posted status on
// the Node) → Initialized (Ready, the NodePool's startup taints gone, the extended resources the pods
// asked for present): phase Ready and the Node labelled rafter.dev/initialized=true. A launch that
// produces no instance within launchTimeout, or an instance whose kubelet does not register within
// registrationTimeout, is marked Failed with the reason and deleted (termination removes the
// instance and Node); its waiting pods are planned again.
import type { V1Node } from "@kubernetes/client-node";
import type { VirtualNode, VirtualNodeStatus } from "../../api/virtualnode.js";
import { parseResourceList } from "../../domain/resources.js";
import { podTarget } from "../../kube/events.js";
import { labelKeys } from "../../api/labels.js";
import { setCondition, virtualNodeTarget } from "../virtual-node-status.js";
import type { LifecycleDeps } from "./deps.js";
import { driftStamps } from "./drift.js";
import { nodePoolOwner } from "../virtual-node-factory.js";
import { lookup } from "./managed-nodes.js";
import type { LifecycleMetrics } from "./metrics.js";
import { millis } from "../../domain/timestamps.js";
import { isRegistered } from "./termination.js";
import { namespacedName } from "../../domain/pod-key.js";

const wellKnownResources = new Set(["cpu", "memory", "pods", "ephemeral-storage"]);

export class Registration {
  constructor(
    private readonly deps: LifecycleDeps,
    private readonly metrics: LifecycleMetrics,
  ) {}

  async reconcile(key: string): Promise<number | undefined> {
    const { virtualNode, node, nodePool } = lookup(this.deps.reader, key);
    if (!virtualNode || virtualNode.metadata.deletionTimestamp) return undefined;
    const now = this.deps.clock.now();
    const status = virtualNode.status ?? {};
    const phase = status.phase ?? "Planned";
    if (phase === "Failed") {
      // Failed VirtualNodes go through termination, which keeps them visible for a while.
      await this.delete(key);
      return undefined;
    }
    if (phase === "Draining" || phase === "Terminating") return undefined;

    if (!status.instanceID) {
      const age = now - (millis(virtualNode.metadata.creationTimestamp) ?? now);
      const left = this.deps.config.launchTimeoutMs - age;
      if (left > 0) return left;
      await this.fail(
        virtualNode,
        "LaunchTimeout",
        `no instance after ${Math.round(age / 1000)}s`,
        "Launched",
      );
      return undefined;
    }

    if (!node || !isRegistered(node)) {
      const launchedAt = millis(status.launchedAt) ?? millis(virtualNode.metadata.creationTimestamp) ?? now;
      const left = launchedAt + this.deps.config.registrationTimeoutMs - now;
      if (left > 0) return Math.min(left, 60_000);
      await this.fail(
        virtualNode,
        "RegistrationTimeout",
        `node ${status.nodeName ?? "?"} did not register within ${Math.round(this.deps.config.registrationTimeoutMs / 1000)}s`,
        "Registered",
      );
      return undefined;
    }

    let next: VirtualNodeStatus = status;
    if (phase === "Launched" || phase === "Planned" || phase === "Launching") {
      this.deps.registrationOutcomes?.registered(virtualNode.spec.nodePool);
      next = setCondition(
        { ...next, phase: "Registered" },
        { type: "Registered", status: "True", reason: "Registered" },
        now,
      );
    }
    const pending = initializationPending(
      virtualNode,
      node,
      nodePool?.spec.template.spec.startupTaints ?? [],
    );
    if (pending === undefined && next.phase !== "Ready") {
      next = setCondition(
        { ...next, phase: "Ready" },
        { type: "Initialized", status: "True", reason: "Initialized" },
        now,
      );
      const labelled = await this.deps.nodes.patchMetadata(node.metadata?.name ?? "", {
        labels: { [labelKeys.initialized]: "true" },
      });
      if (!labelled.ok && labelled.error.kind !== "not-found")
        throw new Error(`labelling Node: ${labelled.error.message}`);
      this.deps.events.record(
        virtualNodeTarget(virtualNode),
        "Normal",
        "Initialized",
        `Node ${node.metadata?.name ?? ""} is ready`,
      );
    } else if (pending !== undefined) {
      next = setCondition(
        next,
        { type: "Initialized", status: "False", reason: "NotInitialized", message: pending },
        now,
      );
    }
    if (next !== status) {
      const result = await this.deps.virtualNodes.patchStatus(key, next);
      if (!result.ok && result.error.kind !== "not-found")
        throw new Error(`updating VirtualNode: ${result.error.message}`);
    }
    // Drift compares against what the node was launched from: stamp what is missing on first sight
    // (VirtualNodes recorded before a stamp existed).
    const nodeClassName = nodePool?.spec.template.spec.nodeClassRef.name;
    const nodeClass = this.deps.reader.nodeClasses().find((nc) => nc.metadata.name === nodeClassName);
    const annotations = virtualNode.metadata.annotations ?? {};
    const missing = Object.entries(driftStamps(nodePool, nodeClass)).filter(
      ([k]) => annotations[k] === undefined,
    );
    // VirtualNodes recorded before they had an owner get their NodePool as owner too.
    const owner =
      nodePool && (virtualNode.metadata.ownerReferences ?? []).length === 0 ? nodePoolOwner(nodePool) : [];
    if (missing.length > 0 || owner.length > 0)
      await this.deps.virtualNodes.patchMetadata(key, {
        ...(missing.length > 0 ? { annotations: Object.fromEntries(missing) } : {}),
        ...(owner.length > 0 ? { ownerReferences: owner } : {}),
      });
    return undefined;
  }

  private async fail(
    virtualNode: VirtualNode,
    reason: string,
    message: string,
    condition: "Launched" | "Registered",
  ) {
    const name = virtualNode.metadata.name ?? "";
    const now = this.deps.clock.now();
    this.deps.logger.warn({ virtualNode: name, reason, message }, "capacity failed");
    this.metrics.registrationFailures.inc({ nodepool: virtualNode.spec.nodePool, reason });
    const status = setCondition(
      { ...(virtualNode.status ?? {}), phase: "Failed", lastFailure: `${reason}: ${message}` },
      { type: condition, status: "False", reason, message },
      now,
    );
    const result = await this.deps.virtualNodes.patchStatus(name, status);
    if (!result.ok && result.error.kind !== "not-found")
      throw new Error(`failing VirtualNode: ${result.error.message}`);
    this.deps.events.record(virtualNodeTarget(virtualNode), "Warning", reason, message);
    // Before the pods are released, so that their next plan already avoids this pool.
    this.deps.registrationOutcomes?.failed(virtualNode.spec.nodePool, reason, message);
    // Pods still waiting for this capacity are planned again; bound ones come back through their
    // controllers once the drain evicts them.
    const waiting = virtualNode.spec.pods.map((ref) => namespacedName(ref.namespace, ref.name));
    const pods = this.deps.reader.pods();
    for (const ref of virtualNode.spec.pods) {
      const pod = pods.find((p) => p.metadata?.namespace === ref.namespace && p.metadata.name === ref.name);
      if (pod)
        this.deps.events.record(
          podTarget(pod),
          "Warning",
          "CapacityFailed",
          `${name}: ${reason}; planning again`,
        );
    }
    this.deps.releasePods?.(waiting);
    await this.delete(name);
  }

  private async delete(name: string): Promise<void> {
    const result = await this.deps.virtualNodes.delete(name);
    if (!result.ok && result.error.kind !== "not-found")
      throw new Error(`deleting VirtualNode: ${result.error.message}`);
  }
}

/** Why the node is not initialized yet, or undefined when it is. */
function initializationPending(
  virtualNode: VirtualNode,
  node: V1Node,
  startupTaints: readonly { key: string; effect: string }[],
): string | undefined {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  if (ready?.status !== "True") return "node not Ready";
  const taints = node.spec?.taints ?? [];
  const left = startupTaints.find((s) => taints.some((t) => t.key === s.key && t.effect === s.effect));
  if (left) return `startup taint ${left.key} still present`;
  const allocatable = parseResourceList(node.status?.allocatable);
  for (const [name, amount] of Object.entries(parseResourceList(virtualNode.spec.resources))) {
    if (wellKnownResources.has(name) || amount <= 0) continue;
    if ((allocatable[name] ?? 0) <= 0) return `resource ${name} not registered`;
  }
  return undefined;
}
