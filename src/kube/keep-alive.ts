// Connection reuse for the generated API clients. @kubernetes/client-node 1.x builds a new https.Agent
// for every request, so every Binding, Event and status write paid a TLS handshake on both ends:
// during a thousand-pod burst kube-apiserver spent its CPU on handshakes and rafter's bindings
// crawled at ~50/s. Here one keep-alive agent per distinct TLS identity is kept and reused.
import { Agent as HttpsAgent, type AgentOptions } from "node:https";
import { KubeConfig, type RequestContext } from "@kubernetes/client-node";

/** Sockets kept per agent; bindings run 32 at a time, the other writers a few each. */
const maxSockets = 64;

/** PEM text, buffers, lists of either, or a flag, as one string. */
function identityPart(value: unknown): string {
  if (typeof value === "string" || typeof value === "boolean") return String(value);
  if (Buffer.isBuffer(value)) return value.toString("latin1");
  if (Array.isArray(value)) return value.map(identityPart).join(",");
  return "";
}

export class KeepAliveKubeConfig extends KubeConfig {
  private readonly agents = new Map<string, HttpsAgent>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    // Plain http (tests) and proxy agents are left as the library makes them.
    if (!(fresh instanceof HttpsAgent) || fresh.constructor !== HttpsAgent) return;
    const options = (fresh as HttpsAgent & { options: AgentOptions }).options;
    // The identity, not the object: a rotated client certificate gets a new agent.
    const key = [options.ca, options.cert, options.key, options.pfx, options.rejectUnauthorized]
      .map(identityPart)
      .join("\u0000");
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new HttpsAgent({ ...options, keepAlive: true, maxSockets });
      this.agents.set(key, agent);
    }
    context.setAgent(agent);
  }
}
