// Writes Node objects: rafter creates the Node of each instance it launches (so that pods can be bound
// before the kubelet registers) and removes it when the instance is gone.
import type { CoreV1Api, V1Node } from "@kubernetes/client-node";
import { apiErrorKind, apiErrorMessage } from "./errors.js";
import type { WriteResult } from "./virtual-nodes.js";

export interface NodeWriter {
  create(node: V1Node): Promise<WriteResult<V1Node>>;
}

export class ApiNodeWriter implements NodeWriter {
  constructor(private readonly core: CoreV1Api) {}

  async create(node: V1Node): Promise<WriteResult<V1Node>> {
    try {
      return { kind: "ok", value: await this.core.createNode({ body: node }) };
    } catch (error) {
      return { kind: apiErrorKind(error), message: apiErrorMessage(error) };
    }
  }
}
