// In-memory stand-ins for the API-server side of the provisioning path: a VirtualNode store, a Node
// writer and a binder that also update the pod list the reader serves, so that a test sees what the
// informers would show.
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { VirtualNode, VirtualNodeSpec, VirtualNodeStatus } from "../../src/api/virtualnode.js";
import type { Binder, BindResult } from "../../src/kube/binder.js";
import type { NodeAdoptionPatch, NodeWriter } from "../../src/kube/nodes.js";
import { fail, ok, type Result } from "../../src/domain/result.js";
import type { ApiError } from "../../src/kube/errors.js";

export class FakeVirtualNodes {
  readonly objects = new Map<string, VirtualNode>();
  private uid = 0;
  failCreates = 0;
  /** Called with each status patch before it is applied (a test's hook into a launch's steps). */
  onPatch: ((name: string, status: VirtualNodeStatus) => void) | undefined;

  create(
    name: string,
    spec: VirtualNodeSpec,
    labels: Record<string, string>,
  ): Promise<Result<VirtualNode, ApiError>> {
    if (this.failCreates > 0) {
      this.failCreates--;
      return Promise.resolve(fail({ kind: "other", message: "injected create failure" }));
    }
    if (this.objects.has(name)) return Promise.resolve(fail({ kind: "already-exists", message: name }));
    const object: VirtualNode = {
      apiVersion: "rafter.dev/v1",
      kind: "VirtualNode",
      metadata: { name, labels, uid: `vn-uid-${++this.uid}` },
      spec: structuredClone(spec),
      status: { phase: "Planned" },
    };
    this.objects.set(name, object);
    return Promise.resolve(ok(structuredClone(object)));
  }

  patchStatus(name: string, status: VirtualNodeStatus): Promise<Result<VirtualNode, ApiError>> {
    const object = this.objects.get(name);
    if (!object) return Promise.resolve(fail({ kind: "not-found", message: name }));
    this.onPatch?.(name, status);
    object.status = { ...object.status, ...structuredClone(status) };
    return Promise.resolve(ok(structuredClone(object)));
  }

  list(): VirtualNode[] {
    return [...this.objects.values()];
  }
}

export class FakeNodes implements NodeWriter {
  readonly nodes: V1Node[] = [];
  create(node: V1Node): Promise<Result<V1Node, ApiError>> {
    if (this.nodes.some((n) => n.metadata?.name === node.metadata?.name))
      return Promise.resolve(fail({ kind: "already-exists", message: node.metadata?.name ?? "" }));
    this.nodes.push(structuredClone(node));
    return Promise.resolve(ok(node));
  }
  get(name: string): Promise<Result<V1Node, ApiError>> {
    const node = this.nodes.find((n) => n.metadata?.name === name);
    return Promise.resolve(node ? ok(structuredClone(node)) : fail({ kind: "not-found", message: name }));
  }
  /** Applies the merge patch as the API server would (labels/annotations merged, finalizers replaced). */
  adopt(name: string, patch: NodeAdoptionPatch): Promise<Result<V1Node, ApiError>> {
    const node = this.nodes.find((n) => n.metadata?.name === name);
    if (!node) return Promise.resolve(fail({ kind: "not-found", message: name }));
    const metadata = (node.metadata ??= {});
    metadata.labels = { ...metadata.labels, ...patch.labels };
    metadata.annotations = { ...metadata.annotations, ...patch.annotations };
    if (patch.finalizers) metadata.finalizers = [...patch.finalizers];
    return Promise.resolve(ok(structuredClone(node)));
  }
}

export class FakeBinder implements Binder {
  readonly bindings: { pod: string; uid: string; node: string }[] = [];
  /**
   * @param lagging the pods' cache does not show bindings (an informer not caught up); a repeat
   *   binding to the same node is joined, as the real binder's memory of recent bindings does.
   */
  constructor(
    private readonly pods: V1Pod[],
    private readonly lagging = false,
  ) {}
  bind(namespace: string, name: string, uid: string, nodeName: string): Promise<BindResult> {
    const pod = this.pods.find((p) => p.metadata?.namespace === namespace && p.metadata.name === name);
    if (!pod || (uid && pod.metadata?.uid !== uid))
      return Promise.resolve(fail({ kind: "not-found", message: name }));
    const earlier = this.bindings.find((b) => b.uid === uid);
    if (this.lagging && earlier?.node === nodeName) return Promise.resolve(ok({ joined: true }));
    if (pod.spec?.nodeName)
      return Promise.resolve(fail({ kind: "conflict", message: `already on ${pod.spec.nodeName}` }));
    if (!this.lagging) pod.spec = { ...pod.spec, containers: pod.spec?.containers ?? [], nodeName };
    this.bindings.push({ pod: `${namespace}/${name}`, uid, node: nodeName });
    return Promise.resolve(ok({ joined: false }));
  }
}

export function pendingPod(
  name: string,
  cpu: string,
  memory: string,
  extra: Partial<V1Pod["spec"]> = {},
): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}`, creationTimestamp: new Date(0) },
    spec: { containers: [{ name: "app", image: "app", resources: { requests: { cpu, memory } } }], ...extra },
    status: {
      phase: "Pending",
      conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }],
    },
  };
}
