// The resilient informer against an API server that is not there (127.0.0.1:1 refuses every watch):
// "synced" waits for a list that really succeeded — the library's start() resolves after a failed
// list too, and an empty cache taken for a synced one makes every instance look like an orphan —
// and the restart backoff keeps growing while lists keep failing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KubeConfig, type KubernetesListObject, type V1Pod } from "@kubernetes/client-node";
import { pino } from "pino";
import { ResilientInformer } from "../../src/kube/informer.js";

function unreachableApi(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "down", server: "https://127.0.0.1:1", skipTLSVerify: true }],
    users: [{ name: "nobody" }],
    contexts: [{ name: "down", cluster: "down", user: "nobody" }],
    currentContext: "down",
  });
  return kc;
}

const podList = (names: readonly string[]): KubernetesListObject<V1Pod> => ({
  apiVersion: "v1",
  kind: "PodList",
  metadata: { resourceVersion: "7" },
  items: names.map((name) => ({
    metadata: {
      name,
      namespace: "default",
      resourceVersion: "7",
      managedFields: [{ manager: "kube-scheduler", operation: "Update", fieldsV1: {} }],
    },
  })),
});

function capturingLogger(onWarn: (entry: Record<string, unknown>) => void) {
  return pino(
    { level: "warn" },
    {
      write(line: string) {
        onWarn(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
}

describe("ResilientInformer", () => {
  it("is synced only once a list has succeeded, with the listed objects in its cache", async () => {
    let lists = 0;
    const informer = new ResilientInformer<V1Pod>({
      name: "pods",
      kubeConfig: unreachableApi(),
      path: "/api/v1/pods",
      list: () => {
        lists += 1;
        return lists === 1
          ? Promise.reject(new Error("connect ECONNREFUSED"))
          : Promise.resolve(podList(["a"]));
      },
      logger: pino({ level: "silent" }),
      initialBackoffMs: 1,
      maxBackoffMs: 4,
    });
    try {
      void informer.start();
      await informer.synced;
      assert.equal(lists, 2, "synced after the second list, the first having failed");
      assert.deepEqual(
        informer.list().map((p) => p.metadata?.name),
        ["a"],
      );
      assert.equal(informer.list()[0]?.metadata?.managedFields, undefined, "managedFields are not cached");
    } finally {
      await informer.stop();
    }
  });

  it("backs off further each time the list fails again", async () => {
    const delays: number[] = [];
    let reached!: () => void;
    const fourFailures = new Promise<void>((resolve) => (reached = resolve));
    const informer = new ResilientInformer<V1Pod>({
      name: "pods",
      kubeConfig: unreachableApi(),
      path: "/api/v1/pods",
      list: () => Promise.reject(new Error("connect ECONNREFUSED")),
      logger: capturingLogger((entry) => {
        if (typeof entry.retryInMs === "number") delays.push(entry.retryInMs);
        if (delays.length === 4) reached();
      }),
      initialBackoffMs: 2,
      maxBackoffMs: 1_000,
    });
    try {
      void informer.start();
      await fourFailures;
    } finally {
      await informer.stop();
    }
    for (let i = 1; i < 4; i++)
      assert.ok((delays[i] ?? 0) > (delays[i - 1] ?? 0), `delays grow: ${delays.join(", ")}`);
  });
});
