// A launch while kube-apiserver is away for longer than the launcher's retries last (about 31 s): the
// launcher gives up and tries to mark the VirtualNode Failed, which needs the API too. That failure
// must not escape as an unhandled rejection (Node ends the process on one); the launch is retried and
// completes once the API answers again.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { pino } from "pino";
import type { EC2NodeClass } from "../../src/api/ec2nodeclass.js";
import type { NodePool } from "../../src/api/nodepool.js";
import type { VirtualNodeStatus } from "../../src/api/virtualnode.js";
import { ManualClock } from "../../src/clock.js";
import { SimulatedCloud } from "../../src/cloud/simulated/simulated-cloud.js";
import { CatalogSource } from "../../src/controllers/catalog-source.js";
import { staticReader } from "../../src/controllers/cluster-reader.js";
import { Launcher } from "../../src/controllers/launcher.js";
import { MemoryEventRecorder } from "../../src/kube/events.js";
import { fail, type Result } from "../../src/domain/result.js";
import type { ApiError } from "../../src/kube/errors.js";
import type { VirtualNode } from "../../src/api/virtualnode.js";
import { provisioningMetrics } from "../../src/metrics/provisioning.js";
import { createMetricsRegistry } from "../../src/metrics/registry.js";
import { createSchedulingState } from "../../src/state/scheduling-state.js";
import { FakeBinder, FakeNodes, FakeVirtualNodes, pendingPod } from "../support/provisioning-fakes.js";
import { until } from "../support/until.js";

const example = (file: string): unknown =>
  parse(readFileSync(new URL(`../../manifests/examples/${file}`, import.meta.url), "utf8"));

describe("launcher while the API server is away", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  before(() => process.on("unhandledRejection", onUnhandled));
  after(() => process.off("unhandledRejection", onUnhandled));

  it("survives giving up while the API is down and launches once it is back", async () => {
    const clock = new ManualClock(1_000_000);
    const logger = pino({ level: "silent" });
    const pod = pendingPod("a", "1", "1Gi");
    const reader = staticReader({
      pods: [pod],
      nodePools: [example("nodepool-general.yaml") as NodePool],
      nodeClasses: [example("ec2nodeclass.yaml") as EC2NodeClass],
    });
    const store = new FakeVirtualNodes();
    const api = { down: true };
    const virtualNodes = {
      patchStatus: (name: string, status: VirtualNodeStatus): Promise<Result<VirtualNode, ApiError>> =>
        api.down
          ? Promise.resolve(fail({ kind: "other", message: "connect ECONNREFUSED 127.0.0.1:6443" }))
          : store.patchStatus(name, status),
    };
    const liveReader = { ...reader, virtualNodes: () => store.list() };
    const cloud = new SimulatedCloud({
      clock,
      sleep: (ms) => {
        clock.advance(ms);
        return Promise.resolve();
      },
      clusterName: "test",
    });
    const catalog = new CatalogSource(liveReader, cloud, "us-east-1", logger);
    const binder = new FakeBinder([pod]);
    const released: string[][] = [];
    const launcher = new Launcher({
      reader: liveReader,
      cloud,
      virtualNodes,
      nodes: new FakeNodes(),
      binder,
      ledger: createSchedulingState({ clock }).ledger,
      events: new MemoryEventRecorder(),
      metrics: provisioningMetrics(createMetricsRegistry()),
      clock,
      timers: clock,
      logger,
      region: "us-east-1",
      instanceType: (name) => catalog.instanceType(name),
      onPodsReleased: (keys) => {
        released.push(keys);
      },
    });
    const created = await store.create(
      "default-abc",
      {
        nodePool: "default",
        instanceTypes: ["m5.large"],
        requirements: [],
        resources: { cpu: "1", memory: "1Gi" },
        pods: [{ namespace: "default", name: "a", uid: "uid-a" }],
      },
      {},
    );
    assert.ok(created.ok);
    launcher.launch(created.value);
    for (let second = 0; second < 45; second++) {
      await until(() => !launcher.busy, { what: "the launcher to wait" });
      clock.advance(1_000);
    }
    await until(() => !launcher.busy, { what: "the launcher to wait" });
    assert.deepEqual(unhandled, [], "no unhandled rejection while the API was down");
    api.down = false;
    for (let second = 0; second < 60; second++) {
      await until(() => !launcher.busy, { what: "the launcher to wait" });
      clock.advance(1_000);
    }
    await until(() => !launcher.busy, { what: "the launcher to wait" });
    assert.deepEqual(unhandled, [], "no unhandled rejection");
    assert.equal(store.list()[0]?.status?.phase, "Launched", "launched once the API answered");
    assert.deepEqual(
      binder.bindings.map((b) => b.pod),
      ["default/a"],
    );
    const instances = await cloud.list();
    assert.ok(instances.ok);
    assert.equal(instances.value.length, 1, "one instance");
    assert.deepEqual(released, [], "nothing released: the launch was not given up");
  });
});
