// The few facts about the pod being scheduled that every verb needs, computed once per request.
import type { V1Pod } from "@kubernetes/client-node";
import { InvalidQuantityError } from "../domain/quantity.js";
import type { Resources } from "../domain/resources.js";
import { podRequests } from "../domain/pod-requests.js";
import type { Checked } from "./validate.js";
import { errorMessage } from "../domain/error-message.js";

export interface PodFacts {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly requests: Resources;
  /** requests.cpu and requests.memory as plain fields for the hot loops. */
  readonly cpu: number;
  readonly memory: number;
  /** Requested resources other than cpu, memory and pods (extended resources, storage). */
  readonly otherResources: readonly string[];
  /** DaemonSet pods bring their own capacity (the planner counts it as overhead of every node). */
  readonly daemonSet: boolean;
  /**
   * metadata.creationTimestamp as the request carried it (a string): read (millis) only when the
   * pod is bound, not on every filter call.
   */
  readonly creationTimestamp: unknown;
}

/** Expects a pod that passed checkPod (metadata.uid and metadata.name are strings). */
export function podFacts(pod: V1Pod): Checked<PodFacts> {
  const meta = pod.metadata;
  let requests: Resources;
  try {
    requests = podRequests(pod);
  } catch (error) {
    if (error instanceof InvalidQuantityError)
      return { ok: false, error: `Pod resource requests: ${error.message}` };
    return { ok: false, error: `Pod spec is not usable: ${errorMessage(error)}` };
  }
  return {
    ok: true,
    value: {
      uid: meta?.uid ?? "",
      namespace: meta?.namespace ?? "default",
      name: meta?.name ?? "",
      requests,
      cpu: requests.cpu ?? 0,
      memory: requests.memory ?? 0,
      otherResources: Object.keys(requests).filter((r) => r !== "cpu" && r !== "memory" && r !== "pods"),
      daemonSet: (meta?.ownerReferences ?? []).some((o) => o.kind === "DaemonSet" && o.controller === true),
      creationTimestamp: meta?.creationTimestamp,
    },
  };
}
