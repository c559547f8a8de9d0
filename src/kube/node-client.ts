// Writes to Node objects the lifecycle controller needs: taints (the disruption taint), labels and
// annotations, deletion, and the release of rafter's finalizer. Taints and finalizers are lists that a
// merge patch replaces whole, so those patches carry the resourceVersion they were computed from: a
// concurrent writer (kubelet, node lifecycle controller) turns our write into a "conflict" to retry,
// never into a lost update.
import type { CoreV1Api, V1Node, V1Taint } from "@kubernetes/client-node";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { Result } from "../domain/result.js";
import { apiCall, type ApiError } from "./errors.js";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export interface NodeMetadataPatch {
  readonly labels?: Record<string, string | null>;
  readonly annotations?: Record<string, string | null>;
}

export interface NodeClient {
  /** Replaces spec.taints, guarded by the node's resourceVersion. */
  setTaints(node: V1Node, taints: readonly V1Taint[]): Promise<Result<V1Node, ApiError>>;
  patchMetadata(name: string, patch: NodeMetadataPatch): Promise<Result<V1Node, ApiError>>;
  /** Removes one finalizer, guarded by the node's resourceVersion. */
  removeFinalizer(node: V1Node, finalizer: string): Promise<Result<V1Node, ApiError>>;
  delete(name: string): Promise<Result<unknown, ApiError>>;
}

export class ApiNodeClient implements NodeClient {
  constructor(private readonly core: CoreV1Api) {}

  setTaints(node: V1Node, taints: readonly V1Taint[]): Promise<Result<V1Node, ApiError>> {
    return this.patch(node.metadata?.name ?? "", {
      metadata: guard(node),
      spec: { taints: taints.length > 0 ? taints : null },
    });
  }

  patchMetadata(name: string, patch: NodeMetadataPatch): Promise<Result<V1Node, ApiError>> {
    return this.patch(name, { metadata: patch });
  }

  removeFinalizer(node: V1Node, finalizer: string): Promise<Result<V1Node, ApiError>> {
    const finalizers = (node.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    return this.patch(node.metadata?.name ?? "", { metadata: { ...guard(node), finalizers } });
  }

  delete(name: string): Promise<Result<unknown, ApiError>> {
    return apiCall(() => this.core.deleteNode({ name }));
  }

  private patch(name: string, body: object): Promise<Result<V1Node, ApiError>> {
    return apiCall(() => this.core.patchNode({ name, body }, mergePatch));
  }
}

function guard(node: V1Node): { resourceVersion?: string } {
  const resourceVersion = node.metadata?.resourceVersion;
  return resourceVersion ? { resourceVersion } : {};
}
