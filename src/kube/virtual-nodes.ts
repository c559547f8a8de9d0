// Reads and writes VirtualNode objects. Status is written through the status subresource with merge
// patches; expected API outcomes come back as typed values.
import {
  PatchStrategy,
  setHeaderOptions,
  type CustomObjectsApi,
  type V1OwnerReference,
} from "@kubernetes/client-node";
import { apiGroup, apiVersion } from "../api/common.js";
import type { VirtualNode, VirtualNodeSpec, VirtualNodeStatus } from "../api/virtualnode.js";
import type { Result } from "../domain/result.js";
import { apiCall, type ApiError } from "./errors.js";

export const terminationFinalizer = "rafter.dev/termination";

const target = { group: apiGroup, version: "v1", plural: "virtualnodes" } as const;
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** The custom-objects API types its answers `object`: each call says what it returns. */
function attempt<T>(call: () => Promise<unknown>): Promise<Result<T, ApiError>> {
  return apiCall(async () => (await call()) as T);
}

export class VirtualNodeClient {
  constructor(private readonly custom: CustomObjectsApi) {}

  create(
    name: string,
    spec: VirtualNodeSpec,
    labels: Record<string, string>,
    annotations: Record<string, string> = {},
    ownerReferences: V1OwnerReference[] = [],
  ): Promise<Result<VirtualNode, ApiError>> {
    const body: VirtualNode = {
      apiVersion,
      kind: "VirtualNode",
      metadata: {
        name,
        labels,
        annotations,
        finalizers: [terminationFinalizer],
        ...(ownerReferences.length > 0 ? { ownerReferences } : {}),
      },
      spec,
    };
    return attempt(() => this.custom.createClusterCustomObject({ ...target, body }));
  }

  get(name: string): Promise<Result<VirtualNode, ApiError>> {
    return attempt(() => this.custom.getClusterCustomObject({ ...target, name }));
  }

  patchStatus(name: string, status: VirtualNodeStatus): Promise<Result<VirtualNode, ApiError>> {
    return attempt(() =>
      this.custom.patchClusterCustomObjectStatus({ ...target, name, body: { status } }, mergePatch),
    );
  }

  patchMetadata(
    name: string,
    metadata: {
      labels?: Record<string, string | null>;
      annotations?: Record<string, string | null>;
      finalizers?: string[];
      ownerReferences?: V1OwnerReference[];
    },
  ): Promise<Result<VirtualNode, ApiError>> {
    return attempt(() =>
      this.custom.patchClusterCustomObject({ ...target, name, body: { metadata } }, mergePatch),
    );
  }

  delete(name: string): Promise<Result<unknown, ApiError>> {
    return attempt(() => this.custom.deleteClusterCustomObject({ ...target, name }));
  }
}
