// The Binder port (how the extender's bind verb and the launcher reach the API server; tests use an
// in-memory fake) and ApiBinder, which binds pods through the Binding subresource, the way
// kube-scheduler does. Expected outcomes are typed values, not exceptions. The pod's UID is sent as
// a precondition so that a pod recreated under the same name is never bound by mistake.
// Bindings of a new node's pods come in hundreds at once: a bounded number are in flight (more only
// earns HTTP 429 from kube-apiserver's max-in-flight limit), and a 429 is retried after a backoff.
// kube-scheduler asks (through the extender's bind verb) for the very bindings rafter has queued for
// a new node; a request for a binding already queued or in flight joins it instead of racing it to
// a 409 — during a thousand-pod burst that was a few hundred wasted API calls.
import type { CoreV1Api } from "@kubernetes/client-node";
import pLimit, { type LimitFunction } from "p-limit";
import { apiErrorKind, apiErrorMessage } from "./errors.js";
import { sleepOn, systemTimers } from "../clock.js";
import { backoffDelay, exponential } from "../domain/backoff.js";
import { fail, ok, type Result } from "../domain/result.js";

/** A binding made; `joined`: another caller made (or is making) this very binding, and reports it. */
export interface Bound {
  readonly joined: boolean;
}

export interface BindError {
  /**
   * `conflict`: the pod is already bound (HTTP 409), possibly by the provisioner's admission-time
   * binding; `not-found`: the pod no longer exists (HTTP 404); `error`: anything else.
   */
  readonly kind: "conflict" | "not-found" | "error";
  readonly message: string;
}

export type BindResult = Result<Bound, BindError>;

/** How a bind outcome is counted: ok, joined, conflict, not-found or error. */
export function bindResultLabel(result: BindResult): string {
  if (!result.ok) return result.error.kind;
  return result.value.joined ? "joined" : "ok";
}

export interface Binder {
  bind(podNamespace: string, podName: string, podUID: string, nodeName: string): Promise<BindResult>;
}

export interface ApiBinderOptions {
  /** Binding requests in flight at once. Default 32. */
  readonly concurrency?: number;
  /** Tries of a request answered 429 (too many requests). Default 6. */
  readonly attempts?: number;
  /**
   * Whether the pod is known to be bound to that node already (by another caller, its response not
   * yet in the informer): asked on each request and again when a queued one's turn comes, so that no
   * Binding is sent only to be refused with a 409.
   */
  readonly alreadyBound?: (podUID: string, nodeName: string) => boolean;
  /** Waits between tries; injected so that tests need no real time. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Another caller made (or is making) this binding. */
const joined: BindResult = ok({ joined: true });

const defaultSleep = sleepOn(systemTimers());

/** A 429 means kube-apiserver is shedding load: back off 200 ms, 400 ms, … up to 3 s. */
const tooManyRequestsBackoff = exponential(200, 3_000);

export class ApiBinder implements Binder {
  private readonly limit: LimitFunction;
  /** Bindings queued or in flight, by pod (namespace/name/uid), with their target node. */
  private readonly pending = new Map<string, { nodeName: string; result: Promise<BindResult> }>();

  constructor(
    private readonly core: Pick<CoreV1Api, "createNamespacedBinding">,
    private readonly options: ApiBinderOptions = {},
  ) {
    this.limit = pLimit(options.concurrency ?? 32);
  }

  bind(podNamespace: string, podName: string, podUID: string, nodeName: string): Promise<BindResult> {
    // kube-scheduler learns of rafter's admission-time bindings late (seconds, during a burst): a
    // request for a binding already made is answered at once instead of queueing for a 409.
    if (this.knownBound(podUID, nodeName)) return Promise.resolve(joined);
    const key = `${podNamespace}/${podName}/${podUID}`;
    const same = this.pending.get(key);
    if (same?.nodeName === nodeName) return same.result.then((r) => (r.ok ? joined : r));
    const result = this.bindWithRetries(podNamespace, podName, podUID, nodeName);
    // A binding to another node is left to race: kube-apiserver decides, the loser gets its 409.
    if (!same) {
      this.pending.set(key, { nodeName, result });
      const settled = (): void => {
        this.pending.delete(key);
      };
      result.then(settled, settled);
    }
    return result;
  }

  private async bindWithRetries(
    podNamespace: string,
    podName: string,
    podUID: string,
    nodeName: string,
  ): Promise<BindResult> {
    const attempts = this.options.attempts ?? 6;
    const sleep = this.options.sleep ?? defaultSleep;
    for (let attempt = 1; ; attempt++) {
      // Asked again when its turn comes: the pod may have been bound while this waited.
      const result = await this.limit(() =>
        this.knownBound(podUID, nodeName) ? joined : this.once(podNamespace, podName, podUID, nodeName),
      );
      if (result !== "retry") return result;
      if (attempt >= attempts)
        return fail({ kind: "error", message: `429: still too many requests after ${attempts} tries` });
      await sleep(backoffDelay(tooManyRequestsBackoff, attempt));
    }
  }

  private knownBound(podUID: string, nodeName: string): boolean {
    return this.options.alreadyBound?.(podUID, nodeName) === true;
  }

  private async once(
    podNamespace: string,
    podName: string,
    podUID: string,
    nodeName: string,
  ): Promise<BindResult | "retry"> {
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
      return ok({ joined: false });
    } catch (error) {
      const kind = apiErrorKind(error);
      const message = apiErrorMessage(error);
      if (kind === "too-many-requests") return "retry";
      if (kind === "not-found") return fail({ kind: "not-found", message });
      if (kind === "conflict" || kind === "already-exists") return fail({ kind: "conflict", message });
      return fail({ kind: "error", message });
    }
  }
}
