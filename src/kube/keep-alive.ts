// Connection reuse for the generated API clients. @kubernetes/client-node builds a new connection pool
// (an https.Agent in 1.x, an undici Agent in 2.x) for every request, so every Binding, Event and status
// write paid a TLS handshake on both ends: during a thousand-pod burst kube-apiserver spent its CPU on
// handshakes and rafter's bindings crawled at ~50/s. Here the first dispatcher made for each distinct
// TLS identity is kept and reused (undici keeps its connections alive).
import type { RequestOptions } from "node:https";
import { KubeConfig, type RequestContext } from "@kubernetes/client-node";

type Dispatcher = NonNullable<ReturnType<RequestContext["getDispatcher"]>>;

/** PEM text, buffers, lists of either, or a flag, as one string. */
function identityPart(value: unknown): string {
  if (typeof value === "string" || typeof value === "boolean") return String(value);
  if (Buffer.isBuffer(value)) return value.toString("latin1");
  if (Array.isArray(value)) return value.map(identityPart).join(",");
  return "";
}

export class KeepAliveKubeConfig extends KubeConfig {
  private readonly dispatchers = new Map<string, Dispatcher>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    // No TLS options (plain http in tests) and proxy dispatchers are left as the library makes them.
    if (fresh === undefined || this.getCurrentCluster()?.proxyUrl) return;
    const tls: RequestOptions = {};
    await this.applyToHTTPSOptions(tls);
    // The identity, not the object: a rotated client certificate gets a new dispatcher.
    const key = [tls.ca, tls.cert, tls.key, tls.pfx, tls.rejectUnauthorized, tls.servername]
      .map(identityPart)
      .join("\u0000");
    const kept = this.dispatchers.get(key);
    if (kept) context.setDispatcher(kept);
    else this.dispatchers.set(key, fresh);
  }
}
