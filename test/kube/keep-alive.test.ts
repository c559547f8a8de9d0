// The generated clients' requests share one keep-alive agent per TLS identity instead of a new agent
// (and a new TLS handshake) per request.
import assert from "node:assert/strict";
import { Agent as HttpsAgent } from "node:https";
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

async function agentOf(kc: KeepAliveKubeConfig): Promise<HttpsAgent> {
  const context = new RequestContext("https://127.0.0.1:6443/api/v1/pods", HttpMethod.GET);
  await kc.applySecurityAuthentication(context);
  const agent = context.getAgent();
  assert.ok(agent instanceof HttpsAgent);
  return agent;
}

describe("KeepAliveKubeConfig", () => {
  it("reuses one keep-alive agent across requests, and still sends the credentials", async () => {
    const kc = kubeConfig("t0ken", "CA-ONE");
    const context = new RequestContext("https://127.0.0.1:6443/api/v1/pods", HttpMethod.GET);
    await kc.applySecurityAuthentication(context);
    assert.equal(context.getHeaders().Authorization, "Bearer t0ken");
    const first = context.getAgent();
    assert.ok(first instanceof HttpsAgent);
    assert.equal((first as HttpsAgent & { keepAlive: boolean }).keepAlive, true);
    assert.equal(await agentOf(kc), first, "the same agent for the next request");
  });

  it("keeps a separate agent per TLS identity", async () => {
    const kc = kubeConfig("t0ken", "CA-ONE");
    const one = await agentOf(kc);
    kc.clusters[0] = { ...kc.clusters[0]!, caData: Buffer.from("CA-TWO").toString("base64") };
    assert.notEqual(await agentOf(kc), one);
  });
});
