// Evicts pods through the Eviction API, so that the API server enforces PodDisruptionBudgets for us:
// a 429 answer means "a PDB does not allow this now" and the caller retries later. Deleting a pod
// outright (no PDB check) is only for pods whose node's termination grace period has run out.
import type { CoreV1Api, V1Pod } from "@kubernetes/client-node";
import { ApiException } from "@kubernetes/client-node";
import { apiErrorKind, apiErrorMessage } from "./errors.js";

export type EvictionResult =
  | { readonly kind: "evicted" }
  /** The pod is already gone (or was recreated under the same name: the UID precondition failed). */
  | { readonly kind: "gone" }
  /** 429: a PodDisruptionBudget forbids the eviction now; retry with backoff. */
  | { readonly kind: "blocked"; readonly message: string }
  | { readonly kind: "error"; readonly message: string };

export interface PodEvictor {
  /** Evicts the pod (PDBs respected). */
  evict(pod: V1Pod): Promise<EvictionResult>;
  /** Deletes the pod without consulting PDBs (grace period expired). */
  delete(pod: V1Pod, gracePeriodSeconds?: number): Promise<EvictionResult>;
}

export class ApiPodEvictor implements PodEvictor {
  constructor(private readonly core: CoreV1Api) {}

  async evict(pod: V1Pod): Promise<EvictionResult> {
    const name = pod.metadata?.name ?? "";
    const namespace = pod.metadata?.namespace ?? "default";
    const uid = pod.metadata?.uid;
    try {
      await this.core.createNamespacedPodEviction({
        name,
        namespace,
        body: {
          apiVersion: "policy/v1",
          kind: "Eviction",
          metadata: { name, namespace },
          ...(uid ? { deleteOptions: { preconditions: { uid } } } : {}),
        },
      });
      return { kind: "evicted" };
    } catch (error) {
      return classify(error);
    }
  }

  async delete(pod: V1Pod, gracePeriodSeconds?: number): Promise<EvictionResult> {
    const uid = pod.metadata?.uid;
    try {
      await this.core.deleteNamespacedPod({
        name: pod.metadata?.name ?? "",
        namespace: pod.metadata?.namespace ?? "default",
        ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
        ...(uid ? { body: { preconditions: { uid } } } : {}),
      });
      return { kind: "evicted" };
    } catch (error) {
      return classify(error);
    }
  }
}

function classify(error: unknown): EvictionResult {
  const kind = apiErrorKind(error);
  const message = apiErrorMessage(error);
  if (kind === "not-found") return { kind: "gone" };
  if (kind === "too-many-requests") return { kind: "blocked", message };
  // A failed UID precondition is a 409: the pod we meant is gone, a new one took its name.
  if (kind === "conflict" && error instanceof ApiException && message.includes("UID"))
    return { kind: "gone" };
  return { kind: "error", message };
}
