// Writes Node objects: rafter creates the Node of each instance it launches (so that pods can be bound
// before the kubelet registers) and removes it when the instance is gone. When the kubelet registered
// first (after a crash, or a fast boot), rafter adopts the kubelet's Node with a merge patch instead.
import type { CoreV1Api, V1Node } from "@kubernetes/client-node";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { Result } from "../domain/result.js";
import { apiCall, type ApiError } from "./errors.js";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** What rafter adds to a Node the kubelet registered; finalizers replace the list (guarded). */
export interface NodeAdoptionPatch {
  readonly resourceVersion?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly finalizers?: readonly string[];
}

export interface NodeWriter {
  create(node: V1Node): Promise<Result<V1Node, ApiError>>;
  get(name: string): Promise<Result<V1Node, ApiError>>;
  adopt(name: string, patch: NodeAdoptionPatch): Promise<Result<V1Node, ApiError>>;
}

export class ApiNodeWriter implements NodeWriter {
  constructor(private readonly core: CoreV1Api) {}

  create(node: V1Node): Promise<Result<V1Node, ApiError>> {
    return apiCall(() => this.core.createNode({ body: node }));
  }

  get(name: string): Promise<Result<V1Node, ApiError>> {
    return apiCall(() => this.core.readNode({ name }));
  }

  adopt(name: string, patch: NodeAdoptionPatch): Promise<Result<V1Node, ApiError>> {
    const { resourceVersion, ...metadata } = patch;
    return apiCall(() =>
      this.core.patchNode(
        { name, body: { metadata: { ...metadata, ...(resourceVersion ? { resourceVersion } : {}) } } },
        mergePatch,
      ),
    );
  }
}
