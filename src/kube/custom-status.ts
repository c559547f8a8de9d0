// Writes the status of rafter's cluster-scoped custom resources (NodePool, EC2NodeClass) with merge
// patches on the status subresource.
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from "@kubernetes/client-node";
import { apiGroup } from "../api/common.js";
import type { Result } from "../domain/result.js";
import { apiCall, type ApiError } from "./errors.js";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export type StatusPlural = "nodepools" | "ec2nodeclasses";

export interface StatusWriter {
  patchStatus(plural: StatusPlural, name: string, status: object): Promise<Result<unknown, ApiError>>;
}

export class ApiStatusWriter implements StatusWriter {
  constructor(private readonly custom: CustomObjectsApi) {}

  patchStatus(plural: StatusPlural, name: string, status: object): Promise<Result<unknown, ApiError>> {
    return apiCall(() =>
      this.custom.patchClusterCustomObjectStatus(
        { group: apiGroup, version: "v1", plural, name, body: { status } },
        mergePatch,
      ),
    );
  }
}
