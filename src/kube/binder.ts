// Binds pods through the Binding subresource, the way kube-scheduler does. The pod's UID is sent as
// a precondition so that a pod recreated under the same name is never bound by mistake.
import type { CoreV1Api } from "@kubernetes/client-node";
import type { Binder, BindResult } from "../extender/binder.js";
import { apiErrorKind, apiErrorMessage } from "./errors.js";

export class ApiBinder implements Binder {
  constructor(private readonly core: CoreV1Api) {}

  async bind(podNamespace: string, podName: string, podUID: string, nodeName: string): Promise<BindResult> {
    try {
      await this.core.createNamespacedBinding({
        namespace: podNamespace,
        body: {
          apiVersion: "v1",
          kind: "Binding",
          metadata: { name: podName, namespace: podNamespace, ...(podUID ? { uid: podUID } : {}) },
          target: { apiVersion: "v1", kind: "Node", name: nodeName },
        },
      });
      return { kind: "ok" };
    } catch (error) {
      const kind = apiErrorKind(error);
      const message = apiErrorMessage(error);
      if (kind === "not-found") return { kind: "not-found", message };
      if (kind === "conflict" || kind === "already-exists") return { kind: "conflict", message };
      return { kind: "error", message };
    }
  }
}
