// Writes the status of rafter's cluster-scoped custom resources (NodePool, EC2NodeClass) with merge
// patches on the status subresource.
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from "@kubernetes/client-node";
import { apiGroup } from "../api/common.js";
import { apiErrorKind, apiErrorMessage } from "./errors.js";
import type { WriteResult } from "./virtual-nodes.js";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export type StatusPlural = "nodepools" | "ec2nodeclasses";

export interface StatusWriter {
  patchStatus(plural: StatusPlural, name: string, status: object): Promise<WriteResult<unknown>>;
}

export class ApiStatusWriter implements StatusWriter {
  constructor(private readonly custom: CustomObjectsApi) {}

  async patchStatus(plural: StatusPlural, name: string, status: object): Promise<WriteResult<unknown>> {
    try {
      const value: unknown = await this.custom.patchClusterCustomObjectStatus(
        { group: apiGroup, version: "v1", plural, name, body: { status } },
        mergePatch,
      );
      return { kind: "ok", value };
    } catch (error) {
      return { kind: apiErrorKind(error), message: apiErrorMessage(error) };
    }
  }
}
