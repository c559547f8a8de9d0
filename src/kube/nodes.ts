// Writes Node objects: rafter creates the Node of each instance it launches (so that pods can be bound
// before the kubelet registers) and removes it when the instance is gone. When the kubelet registered
// first (after a crash, or a fast boot), rafter adopts the kubelet's Node with a merge patch instead.
import type { CoreV1Api, V1Node } from "@kubernetes/client-node";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { fail, ok, type Result } from "../domain/result.js";
import { apiError, type ApiError } from "./errors.js";

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

  async create(node: V1Node): Promise<Result<V1Node, ApiError>> {
    try {
      return ok(await this.core.createNode({ body: node }));
    } catch (error) {
      return fail(apiError(error));
    }
  }

  async get(name: string): Promise<Result<V1Node, ApiError>> {
    try {
      return ok(await this.core.readNode({ name }));
    } catch (error) {
      return fail(apiError(error));
    }
  }

  async adopt(name: string, patch: NodeAdoptionPatch): Promise<Result<V1Node, ApiError>> {
    const { resourceVersion, ...metadata } = patch;
    try {
      return ok(
        await this.core.patchNode(
          { name, body: { metadata: { ...metadata, ...(resourceVersion ? { resourceVersion } : {}) } } },
          mergePatch,
        ),
      );
    } catch (error) {
      return fail(apiError(error));
    }
  }
}
