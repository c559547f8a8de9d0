// The Binding port: how the extender's bind verb reaches the API server. Implemented against the
// Binding subresource elsewhere (src/kube); tests use an in-memory fake. Expected outcomes are typed
// values, not exceptions.

export type BindResult =
  /** `joined`: another caller made (or is making) this very binding, and reports it. */
  | { readonly kind: "ok"; readonly joined?: boolean }
  /** The pod is already bound (HTTP 409), possibly by the provisioner's admission-time binding. */
  | { readonly kind: "conflict"; readonly message: string }
  /** The pod no longer exists (HTTP 404). */
  | { readonly kind: "not-found"; readonly message: string }
  | { readonly kind: "error"; readonly message: string };

export interface Binder {
  bind(podNamespace: string, podName: string, podUID: string, nodeName: string): Promise<BindResult>;
}
