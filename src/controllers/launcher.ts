// Turns a VirtualNode into a running instance with a Node and bound pods. Each step is idempotent and
// recorded in the VirtualNode's status before the next one, so a crash at any point resumes where it
// stopped: the cloud call is idempotent per VirtualNode UID, an existing Node is adopted, and pods
// already bound are skipped.
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { VirtualNode, VirtualNodeStatus } from "../api/virtualnode.js";
import type { Timers } from "../clock.js";
import type { CloudProvider } from "../cloud/provider.js";
import type { InstanceType } from "../catalog/types.js";
import type { NodeWriter } from "../kube/nodes.js";
import type { Logger } from "../logging.js";
import type { VirtualNodeClient } from "../kube/virtual-nodes.js";
import { podRequests } from "../domain/pod-requests.js";
import { AdmissionBinder, type AdmissionBindingDeps } from "./admission-binding.js";
import { launchedStatus, launchFactsFrom } from "./launch-record.js";
import { buildNodeObject } from "./node-object.js";
import { ensureInstanceNode } from "./node-adoption.js";
import { setCondition, virtualNodeTarget } from "./virtual-node-status.js";
import { backoffDelay, exponential } from "../domain/backoff.js";
import { errorMessage } from "../domain/error-message.js";
import { namespacedName, podKey } from "../domain/pod-key.js";

/** Failed launch steps are retried after 1 s, 2 s, 4 s, … up to 30 s (a Throttled answer's own hint wins). */
const launchRetryBackoff = exponential(1_000, 30_000);

/** Phases of a VirtualNode whose instance was launched and is not being taken down. */
const launchedPhases: ReadonlySet<string> = new Set(["Launched", "Registered", "Ready"]);

/** What happens to a VirtualNode's pods when its launch cannot succeed. */
export type ReleaseUrgency = "now" | "backoff";

export interface LauncherDeps extends AdmissionBindingDeps {
  readonly cloud: CloudProvider;
  readonly virtualNodes: Pick<VirtualNodeClient, "patchStatus">;
  readonly nodes: NodeWriter;
  readonly timers: Timers;
  readonly region: string;
  readonly instanceType: (name: string) => InstanceType | undefined;
  /** The launch failed for good: its pods must be planned again (now after capacity errors). */
  readonly onPodsReleased: (podKeys: string[], urgency: ReleaseUrgency) => void;
  /** Retries of throttled or failed launches before the VirtualNode is marked Failed. */
  readonly maxAttempts?: number;
}

export class Launcher {
  // Everything held here is about launches that are running or will run again (a retry is
  // scheduled); it is dropped when a run ends without one, so memory follows the launches in
  // progress, not every VirtualNode the process ever launched.
  private readonly inProgress = new Set<string>();
  /** VirtualNodes with a retry scheduled. */
  private readonly retrying = new Set<string>();
  /** Failed runs in a row, by VirtualNode name. */
  private readonly attempts = new Map<string, number>();
  /** Pods a later plan placed on spare capacity still launching: VirtualNode name → pod key → UID. */
  private readonly joined = new Map<string, Map<string, string>>();
  private readonly binding: AdmissionBinder;

  constructor(private readonly deps: LauncherDeps) {
    this.binding = new AdmissionBinder(deps);
  }

  /** Starts (or resumes) the launch of a VirtualNode; concurrent calls for the same one coalesce. */
  launch(virtualNode: VirtualNode): void {
    const name = virtualNode.metadata.name ?? "";
    if (this.inProgress.has(name)) return;
    this.inProgress.add(name);
    let boundTo: string | undefined;
    void this.run(virtualNode)
      .then((nodeName) => {
        boundTo = nodeName;
      })
      .catch((error: unknown) => {
        this.deps.logger.error({ virtualNode: name, err: errorMessage(error) }, "launch step failed");
        this.retryLater(virtualNode, errorMessage(error));
      })
      .finally(() => {
        this.inProgress.delete(name);
        if (this.retrying.has(name)) return;
        this.attempts.delete(name);
        const late = this.joinedPods(name);
        this.joined.delete(name);
        // Joined after the run's last binding pass (while it recorded its status): no run is left to
        // bind them, and the cache may not show the launch yet for join() to.
        if (boundTo !== undefined && late.length > 0)
          this.binding.bindInBackground(
            launchedFor(name),
            late,
            boundTo,
            this.deps.logger.child({ virtualNode: name }),
            "joined pods",
          );
      });
  }

  /**
   * Pods a later plan put on this VirtualNode's spare capacity are bound with its own pods, or at once
   * when its Node already exists. Held in memory only: after a crash they are simply planned again.
   */
  join(virtualNodeName: string, pods: readonly V1Pod[]): void {
    if (this.inProgress.has(virtualNodeName) || this.retrying.has(virtualNodeName)) {
      // The run in progress, or the retry, binds them with the VirtualNode's own pods.
      let members = this.joined.get(virtualNodeName);
      if (!members) this.joined.set(virtualNodeName, (members = new Map<string, string>()));
      for (const pod of pods) members.set(podKey(pod), pod.metadata?.uid ?? "");
      return;
    }
    const nodeName = this.launchedNode(virtualNodeName);
    // No run will bind them: kube-scheduler does, steered by their reservations.
    if (nodeName === undefined) return;
    const log = this.deps.logger.child({ virtualNode: virtualNodeName });
    this.binding.bindInBackground(launchedFor(virtualNodeName), pods, nodeName, log, "joined pods");
  }

  /**
   * Placements a plan made on an existing node are bound at once too: left to kube-scheduler, a pod
   * it had marked unschedulable waits out its backoff (up to 5 min) while its reservation keeps
   * other pods off the node.
   */
  bindToNode(nodeName: string, pods: readonly V1Pod[]): void {
    const log = this.deps.logger.child({ node: nodeName });
    this.binding.bindInBackground("onto free capacity", pods, nodeName, log, "placed pods");
  }

  /**
   * A Node changed: pods waiting for its devices (binding-policy.ts) are bound once its kubelet
   * advertises them.
   */
  nodeUpdated(node: V1Node): void {
    this.binding.nodeUpdated(node);
  }

  /**
   * A Node was deleted: the pods held for its devices are no longer waited for there (the provisioner
   * plans them again), so a later Node of the same name (a reused private IP) does not take them.
   */
  nodeDeleted(nodeName: string): void {
    this.binding.nodeDeleted(nodeName);
  }

  /** A launch run is in progress (retries waiting on their timer are not). For tests. */
  get busy(): boolean {
    return this.inProgress.size > 0;
  }

  /** VirtualNodes the launcher holds anything about: only those with a run in progress or scheduled. */
  retained(): number {
    return new Set([...this.inProgress, ...this.retrying, ...this.attempts.keys(), ...this.joined.keys()])
      .size;
  }

  /**
   * The Node of a VirtualNode whose launch is over (no run in progress or scheduled), read from the
   * cluster: the launch recorded the Node's name, and the Node exists. Read rather than remembered,
   * so that nothing is kept per VirtualNode, and a restarted process binds the same way.
   */
  private launchedNode(virtualNodeName: string): string | undefined {
    const virtualNode = this.deps.reader.virtualNodes().find((vn) => vn.metadata.name === virtualNodeName);
    const nodeName = virtualNode?.status?.nodeName;
    if (!nodeName || !launchedPhases.has(virtualNode.status?.phase ?? "")) return undefined;
    return this.deps.reader.nodes().some((node) => node.metadata?.name === nodeName) ? nodeName : undefined;
  }

  /** Launches, creates or adopts the Node, binds; resolves with the Node's name once pods were bound. */
  private async run(virtualNode: VirtualNode): Promise<string | undefined> {
    const name = virtualNode.metadata.name ?? "";
    const log = this.deps.logger.child({ virtualNode: name, nodePool: virtualNode.spec.nodePool });
    let status: VirtualNodeStatus = virtualNode.status ?? {};
    if (status.phase === "Failed" || status.phase === "Terminating" || status.phase === "Draining")
      return undefined;
    const nodePool = this.deps.reader
      .nodePools()
      .find((pool) => pool.metadata.name === virtualNode.spec.nodePool);
    if (!nodePool) {
      await this.fail(virtualNode, `NodePool ${virtualNode.spec.nodePool} no longer exists`, "backoff");
      return undefined;
    }

    if (!status.instanceID) {
      if (status.phase !== "Launching") {
        status = { ...status, phase: "Launching" };
        await this.patch(name, status);
      }
      const nodeClassName = nodePool.spec.template.spec.nodeClassRef.name;
      const nodeClass = this.deps.reader.nodeClasses().find((nc) => nc.metadata.name === nodeClassName);
      this.deps.failpoint?.("before-launch");
      const started = this.deps.clock.now();
      const result = await this.deps.cloud.create(virtualNode, {
        nodePool,
        ...(nodeClass ? { nodeClass } : {}),
      });
      const seconds = (this.deps.clock.now() - started) / 1000;
      if (!result.ok) {
        const error = result.error;
        this.deps.metrics.launchDuration.observe({ result: error.kind }, seconds);
        this.deps.metrics.launches.inc({ result: error.kind, nodepool: virtualNode.spec.nodePool });
        log.warn({ error: error.kind, message: error.message }, "launch failed");
        if (error.kind === "InsufficientCapacity")
          await this.fail(virtualNode, `insufficient capacity: ${error.message}`, "now", status);
        else if (error.kind === "InvalidNodeClass")
          await this.fail(virtualNode, `invalid node class: ${error.message}`, "backoff", status);
        else
          this.retryLater(
            virtualNode,
            `${error.kind}: ${error.message}`,
            error.kind === "Throttled" ? error.retryAfterMs : undefined,
          );
        return undefined;
      }
      this.deps.failpoint?.("instance-launched");
      this.deps.metrics.launchDuration.observe({ result: "ok" }, seconds);
      this.deps.metrics.launches.inc({ result: "ok", nodepool: virtualNode.spec.nodePool });
      status = launchedStatus(status, result.value, this.deps.clock.now());
      await this.patch(name, status);
      this.attempts.delete(name);
      log.info(
        {
          instance: result.value.instanceId,
          type: result.value.instanceType,
          zone: result.value.zone,
          capacityType: result.value.capacityType,
          node: result.value.nodeName,
          seconds,
        },
        "instance launched",
      );
      this.deps.events.record(
        virtualNodeTarget(virtualNode),
        "Normal",
        "Launched",
        `Launched ${result.value.instanceType} (${result.value.capacityType}, ${result.value.zone}) as ${result.value.instanceId}`,
      );
    }

    const launched = launchFactsFrom(status);
    if (!launched) return undefined;
    const ensured = await ensureInstanceNode(
      this.deps.nodes,
      this.deps.reader.nodes(),
      buildNodeObject(
        virtualNode,
        launched,
        nodePool,
        this.deps.instanceType(launched.instanceType),
        this.deps.region,
      ),
    );
    if (ensured.kind === "failed") throw new Error(`Node ${launched.nodeName}: ${ensured.message}`);
    const nodeName = ensured.nodeName;
    if (ensured.kind === "adopted") log.info({ node: nodeName }, "adopted the Node the kubelet registered");
    if (nodeName !== launched.nodeName) {
      // The kubelet registered under another name: the VirtualNode follows the Node.
      status = { ...status, nodeName };
      await this.patch(name, status);
    }
    this.deps.failpoint?.("node-created");
    this.moveReservations(virtualNode, nodeName);
    const bound = await this.bindPlanned(virtualNode, nodeName, log);
    await this.patch(name, { ...status, boundPods: bound, reservedPods: 0 });
    return nodeName;
  }

  /**
   * Binds the VirtualNode's pods, then those that joined while it was binding, until a pass finds
   * none new; each pod once (the cache may not show this run's own bindings yet). A joined pod is
   * forgotten once bound, so what remains in `joined` afterwards joined after the last pass.
   */
  private async bindPlanned(virtualNode: VirtualNode, nodeName: string, log: Logger): Promise<number> {
    const name = virtualNode.metadata.name ?? "";
    const handled = new Set<string>();
    let bound = 0;
    for (;;) {
      const pods = this.plannedPods(virtualNode).filter((pod) => !handled.has(pod.metadata?.uid ?? ""));
      if (pods.length === 0) return bound;
      bound += await this.binding.bindEach(launchedFor(name), pods, nodeName, log);
      for (const pod of pods) {
        handled.add(pod.metadata?.uid ?? "");
        this.joined.get(name)?.delete(podKey(pod));
      }
    }
  }

  /** Reservations made against the VirtualNode's name move to the Node's name once it is known. */
  private moveReservations(virtualNode: VirtualNode, nodeName: string): void {
    const vnName = virtualNode.metadata.name ?? "";
    for (const pod of this.plannedPods(virtualNode)) {
      const uid = pod.metadata?.uid ?? "";
      const reservation = this.deps.ledger.get(uid);
      if (reservation && reservation.nodeName !== vnName) continue;
      this.deps.ledger.reserve({
        podUID: uid,
        nodeName,
        requests: podRequests(pod),
        namespace: pod.metadata?.namespace ?? "default",
        name: pod.metadata?.name ?? "",
      });
    }
  }

  /** The VirtualNode's pods as they are now (gone and recreated pods are left out). */
  private plannedPods(virtualNode: VirtualNode): V1Pod[] {
    const wanted = new Map<string, string | undefined>(this.joined.get(virtualNode.metadata.name ?? ""));
    for (const ref of virtualNode.spec.pods) wanted.set(namespacedName(ref.namespace, ref.name), ref.uid);
    return this.podsOf(wanted);
  }

  /** The pods joined to a VirtualNode and not bound by its run yet. */
  private joinedPods(virtualNodeName: string): V1Pod[] {
    return this.podsOf(new Map(this.joined.get(virtualNodeName)));
  }

  /** Pods by key, as they are now; a wanted uid leaves out a recreated pod of the same name. */
  private podsOf(wanted: ReadonlyMap<string, string | undefined>): V1Pod[] {
    return this.deps.reader.pods().filter((pod) => {
      const key = podKey(pod);
      if (!wanted.has(key)) return false;
      const uid = wanted.get(key);
      return !uid || uid === pod.metadata?.uid;
    });
  }

  private async fail(
    virtualNode: VirtualNode,
    reason: string,
    urgency: ReleaseUrgency,
    current: VirtualNodeStatus = virtualNode.status ?? {},
  ): Promise<void> {
    const name = virtualNode.metadata.name ?? "";
    this.attempts.delete(name);
    const status = setCondition(
      { ...current, phase: "Failed", lastFailure: reason },
      { type: "Launched", status: "False", reason: "LaunchFailed", message: reason },
      this.deps.clock.now(),
    );
    await this.patch(name, status);
    this.deps.events.record(virtualNodeTarget(virtualNode), "Warning", "LaunchFailed", reason);
    for (const uid of virtualNode.spec.pods.map((ref) => ref.uid ?? ""))
      if (uid) this.deps.ledger.release(uid);
    this.deps.onPodsReleased(
      virtualNode.spec.pods.map((ref) => namespacedName(ref.namespace, ref.name)),
      urgency,
    );
  }

  private retryLater(virtualNode: VirtualNode, reason: string, suggestedMs?: number): void {
    const name = virtualNode.metadata.name ?? "";
    const attempt = (this.attempts.get(name) ?? 0) + 1;
    this.attempts.set(name, attempt);
    if (attempt >= (this.deps.maxAttempts ?? 6)) {
      // Recording the failure needs the API server too: when that fails as well (e.g. it is down),
      // keep retrying rather than let the rejection escape (Node ends the process on it).
      this.fail(virtualNode, `gave up after ${attempt} attempts: ${reason}`, "backoff").catch(
        (error: unknown) => {
          const message = errorMessage(error);
          this.deps.logger.warn({ virtualNode: name, err: message }, "recording the failed launch failed");
          this.retryLater(virtualNode, message);
        },
      );
      return;
    }
    const delay = suggestedMs ?? backoffDelay(launchRetryBackoff, attempt);
    // Only the failure is written: the phase and launch facts stay as the last step recorded them.
    void this.patch(name, { lastFailure: reason }).catch(() => undefined);
    this.retrying.add(name);
    this.deps.timers.setTimeout(() => {
      this.retrying.delete(name);
      this.launch(virtualNode);
    }, delay);
  }

  private async patch(name: string, status: VirtualNodeStatus): Promise<void> {
    const result = await this.deps.virtualNodes.patchStatus(name, status);
    if (!result.ok && result.error.kind !== "not-found")
      throw new Error(`updating VirtualNode ${name} status: ${result.error.message}`);
  }
}

function launchedFor(virtualNodeName: string): string {
  return `launched for it by rafter (VirtualNode ${virtualNodeName})`;
}
