// The generated clients' requests share one dispatcher (connection pool) per TLS identity instead of
// a new one (and a new TLS handshake) per request.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HttpMethod, RequestContext } from "@kubernetes/client-node";
import { KeepAliveKubeConfig } from "../../src/kube/keep-alive.js";

function kubeConfig(token: string, ca: string): KeepAliveKubeConfig {
  const kc = new KeepAliveKubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: "https://127.0.0.1:6443", caData: Buffer.from(ca).toString("base64") }],
    users: [{ name: "u", token }],
    contexts: [{ name: "ctx", cluster: "c", user: "u" }],
    currentContext: "ctx",
  });
  return kc;
}

async function dispatcherOf(kc: KeepAliveKubeConfig): Promise<unknown> {
  const context = new RequestContext("https://127.0.0.1:6443/api/v1/pods", HttpMethod.GET);
  await kc.applySecurityAuthentication(context);
  const dispatcher = context.getDispatcher();
  assert.ok(dispatcher !== undefined);
  return dispatcher;
}

describe("KeepAliveKubeConfig", () => {
  it("reuses one dispatcher across requests, and still sends the credentials", async () => {
    const kc = kubeConfig("t0ken", "CA-ONE");
    const context = new RequestContext("https://127.0.0.1:6443/api/v1/pods", HttpMethod.GET);
    await kc.applySecurityAuthentication(context);
    assert.equal(context.getHeaders().Authorization, "Bearer t0ken");
    const first = context.getDispatcher();
    assert.ok(first !== undefined);
    assert.equal(await dispatcherOf(kc), first, "the same dispatcher for the next request");
  });

  it("keeps a separate dispatcher per TLS identity", async () => {
    const kc = kubeConfig("t0ken", "CA-ONE");
    const one = await dispatcherOf(kc);
    kc.clusters[0] = { ...kc.clusters[0]!, caData: Buffer.from("CA-TWO").toString("base64") };
    assert.notEqual(await dispatcherOf(kc), one);
  });
});
