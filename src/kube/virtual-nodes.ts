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
import { apiErrorKind, apiErrorMessage, type ApiErrorKind } from "./errors.js";

export const terminationFinalizer = "rafter.dev/termination";

export type WriteResult<T> =
  { readonly kind: "ok"; readonly value: T } | { readonly kind: ApiErrorKind; readonly message: string };

const target = { group: apiGroup, version: "v1", plural: "virtualnodes" } as const;
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

async function attempt<T>(call: () => Promise<unknown>): Promise<WriteResult<T>> {
  try {
    return { kind: "ok", value: (await call()) as T };
  } catch (error) {
    return { kind: apiErrorKind(error), message: apiErrorMessage(error) };
  }
}

export class VirtualNodeClient {
  constructor(private readonly custom: CustomObjectsApi) {}

  create(
    name: string,
    spec: VirtualNodeSpec,
    labels: Record<string, string>,
    annotations: Record<string, string> = {},
    ownerReferences: V1OwnerReference[] = [],
  ): Promise<WriteResult<VirtualNode>> {
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

  get(name: string): Promise<WriteResult<VirtualNode>> {
    return attempt(() => this.custom.getClusterCustomObject({ ...target, name }));
  }

  patchStatus(name: string, status: VirtualNodeStatus): Promise<WriteResult<VirtualNode>> {
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
  ): Promise<WriteResult<VirtualNode>> {
    return attempt(() =>
      this.custom.patchClusterCustomObject({ ...target, name, body: { metadata } }, mergePatch),
    );
  }

  delete(name: string): Promise<WriteResult<unknown>> {
    return attempt(() => this.custom.deleteClusterCustomObject({ ...target, name }));
  }
}
