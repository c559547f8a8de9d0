import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { V1Node, V1PersistentVolumeClaim, V1Pod, V1StorageClass } from "@kubernetes/client-node";
import { pino } from "pino";
import type { EC2NodeClass } from "../../src/api/ec2nodeclass.js";
import type { NodePool } from "../../src/api/nodepool.js";
import { createProvisioning } from "../../src/app/provisioning.js";
import { ManualClock } from "../../src/clock.js";
import { SimulatedCloud } from "../../src/cloud/simulated/simulated-cloud.js";
import { CatalogSource } from "../../src/controllers/catalog-source.js";
import { staticReader } from "../../src/controllers/cluster-reader.js";
import type { Launcher } from "../../src/controllers/launcher.js";
import type { Provisioner } from "../../src/controllers/provisioner.js";
import { MemoryEventRecorder } from "../../src/kube/events.js";
import { provisioningMetrics } from "../../src/metrics/provisioning.js";
import { createMetricsRegistry } from "../../src/metrics/registry.js";
import { createSchedulingState } from "../../src/state/scheduling-state.js";
import { until } from "../support/until.js";
import { FakeBinder, FakeNodes, FakeVirtualNodes, pendingPod } from "../support/provisioning-fakes.js";

const example = (file: string): unknown =>
  parse(readFileSync(new URL(`../../manifests/examples/${file}`, import.meta.url), "utf8"));

function setup(
  pods: V1Pod[],
  existing: {
    nodes?: V1Node[];
    claims?: V1PersistentVolumeClaim[];
    classes?: V1StorageClass[];
    extraNodePools?: string[];
    /** The pods' cache does not show rafter's own bindings (FakeBinder's `lagging`). */
    laggingCache?: boolean;
  } = {},
) {
  const clock = new ManualClock(1_000_000);
  const logger = pino({ level: "silent" });
  const nodePool = example("nodepool-general.yaml") as NodePool;
  const nodeClass = example("ec2nodeclass.yaml") as EC2NodeClass;
  const virtualNodes = new FakeVirtualNodes();
  const nodes = new FakeNodes();
  nodes.nodes.push(...(existing.nodes ?? []));
  const binder = new FakeBinder(pods, existing.laggingCache);
  const reader = staticReader({
    pods,
    nodePools: [nodePool, ...(existing.extraNodePools ?? []).map((file) => example(file) as NodePool)],
    nodeClasses: [nodeClass],
    persistentVolumeClaims: existing.claims ?? [],
    storageClasses: existing.classes ?? [],
  });
  const liveReader = { ...reader, virtualNodes: () => virtualNodes.list(), nodes: () => nodes.nodes };
  const cloud = new SimulatedCloud({
    clock,
    sleep: (ms) => {
      clock.advance(ms);
      return Promise.resolve();
    },
    clusterName: "test",
  });
  const scheduling = createSchedulingState({ clock });
  const events = new MemoryEventRecorder();
  const metrics = provisioningMetrics(createMetricsRegistry());
  const catalog = new CatalogSource(liveReader, cloud, "us-east-1", logger);
  const { provisioner, launcher } = createProvisioning({
    reader: liveReader,
    ledger: scheduling.ledger,
    cloud,
    catalog,
    unavailableOfferings: cloud.unavailableOfferings,
    virtualNodes,
    nodes,
    binder,
    events,
    metrics,
    clock,
    timers: clock,
    logger,
    region: "us-east-1",
    batchIdleMs: 1000,
    batchMaxMs: 10_000,
  });
  // Pods the launcher hands back, seen on their way to the provisioner.
  const released: { keys: string[]; urgency: string }[] = [];
  const podsReleased = provisioner.podsReleased.bind(provisioner);
  provisioner.podsReleased = (keys, urgency) => {
    released.push({ keys, urgency });
    podsReleased(keys, urgency);
  };
  return {
    clock,
    cloud,
    virtualNodes,
    nodes,
    binder,
    launcher,
    provisioner,
    events,
    released,
    scheduling,
    nodePool,
  };
}

/** Waits until no planning round and no launch run is in progress (time does not move). */
function quiet(t: { provisioner: Provisioner; launcher: Launcher }): Promise<void> {
  return until(() => !t.provisioner.planning && !t.launcher.busy, { what: "provisioning to be quiet" });
}

/** One pending pod "a", planned onto a new VirtualNode whose launch has bound it. */
async function oneLaunchedPod() {
  const pods = [pendingPod("a", "1", "1Gi")];
  const t = setup(pods);
  t.provisioner.podChanged(pods[0]!);
  t.clock.advance(1000);
  await until(() => t.virtualNodes.list()[0]?.status?.boundPods === 1, { what: "the launch" });
  return { t, pods };
}

describe("provisioning path (planner → VirtualNode → launch → Node → binding)", () => {
  it("launches capacity for a batch of pending pods and binds them to the new Node at once", async () => {
    const pods = [pendingPod("a", "1", "1Gi"), pendingPod("b", "2", "2Gi"), pendingPod("c", "500m", "4Gi")];
    const t = setup(pods);
    for (const pod of pods) t.provisioner.podChanged(pod);
    assert.equal(t.virtualNodes.objects.size, 0, "nothing happens before the batch window closes");
    t.clock.advance(999);
    await quiet(t);
    assert.equal(t.virtualNodes.objects.size, 0);
    t.clock.advance(1);
    await until(() => t.virtualNodes.list()[0]?.status?.boundPods === 3, { what: "the launch" });

    const [vn] = t.virtualNodes.list();
    assert.ok(vn, "a VirtualNode was recorded");
    assert.deepEqual(vn.spec.pods.map((p) => p.name).sort(), ["a", "b", "c"]);
    assert.equal(vn.status?.phase, "Launched");
    assert.ok(vn.status.instanceID?.startsWith("i-"));
    assert.ok(
      vn.spec.instanceTypes.includes(vn.status.instanceType ?? ""),
      "launched one of the planned types",
    );
    assert.equal(t.cloud.calls.create, 1);

    const [node] = t.nodes.nodes;
    assert.ok(node);
    assert.equal(node.metadata?.name, vn.status.nodeName);
    assert.equal(node.spec?.providerID, vn.status.providerID);
    assert.equal(node.metadata!.labels!["rafter.dev/nodepool"], "default");
    assert.equal(node.metadata!.labels!["workload-class"], "general", "NodePool template labels");
    assert.equal(node.metadata?.labels?.["node.kubernetes.io/instance-type"], vn.status.instanceType);
    assert.ok(node.status?.allocatable?.cpu, "allocatable from the catalogue");

    assert.deepEqual(t.binder.bindings.map((b) => b.pod).sort(), ["default/a", "default/b", "default/c"]);
    assert.ok(t.binder.bindings.every((b) => b.node === node.metadata?.name));
    assert.equal(vn.status.boundPods, 3);
    assert.ok(t.events.events.some((e) => e.reason === "Bound" && e.target.name === "a"));
  });

  it("counts each pod bound once when the pods' cache has not caught up with the bindings", async () => {
    const pods = [pendingPod("a", "1", "1Gi"), pendingPod("b", "1", "1Gi"), pendingPod("c", "1", "1Gi")];
    const t = setup(pods, { laggingCache: true });
    for (const pod of pods) t.provisioner.podChanged(pod);
    t.clock.advance(1000);
    await until(() => t.virtualNodes.list()[0]?.status?.boundPods !== undefined, { what: "the launch" });
    assert.equal(t.virtualNodes.list()[0]?.status?.boundPods, 3);
    assert.equal(t.binder.bindings.length, 3, "each pod bound once");
  });

  it("binds a pod that joins while the launch records its bindings", async () => {
    const pods = [pendingPod("a", "1", "1Gi")];
    const t = setup(pods);
    const late = pendingPod("late", "100m", "128Mi");
    t.virtualNodes.onPatch = (name, status) => {
      if (status.boundPods === undefined) return;
      t.virtualNodes.onPatch = undefined;
      // Created, and planned onto the VirtualNode, while its launch writes its final status.
      pods.push(late);
      t.launcher.join(name, [late]);
    };
    t.provisioner.podChanged(pods[0]!);
    t.clock.advance(1000);
    await until(() => t.binder.bindings.some((b) => b.pod === "default/late"), {
      what: "the late pod bound",
    });
    assert.equal(
      t.binder.bindings.find((b) => b.pod === "default/late")?.node,
      t.nodes.nodes[0]?.metadata?.name,
    );
    await until(() => t.launcher.retained() === 0, { what: "the launcher to hold nothing" });
  });

  it("keeps nothing about a VirtualNode once its launch has completed", async () => {
    const { t } = await oneLaunchedPod();
    await until(() => t.launcher.retained() === 0, { what: "the launcher to hold nothing" });
  });

  it("binds a pod planned onto a launched VirtualNode's spare capacity at once", async () => {
    const { t, pods } = await oneLaunchedPod();
    const late = pendingPod("late", "100m", "128Mi");
    pods.push(late);
    t.provisioner.podChanged(late);
    t.clock.advance(1000);
    await until(() => t.binder.bindings.length === 2, { what: "the late pod's binding" });
    const [vn] = t.virtualNodes.list();
    assert.equal(t.virtualNodes.objects.size, 1, "no new capacity");
    assert.deepEqual(t.binder.bindings[1], {
      pod: "default/late",
      uid: "uid-late",
      node: vn?.status?.nodeName,
    });
  });

  it("binds pods placed on an existing node's free capacity at once, without waiting for kube-scheduler", async () => {
    const claimed = pendingPod("claimed", "500m", "512Mi", {
      volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }],
    });
    const pods = [pendingPod("a", "1", "1Gi"), claimed];
    const t = setup(pods, {
      nodes: [readyNode("existing", { cpu: "4", memory: "8Gi", pods: "110" })],
      claims: [
        {
          metadata: { name: "data", namespace: "default" },
          spec: { storageClassName: "wait" },
          status: { phase: "Pending" },
        },
      ],
      classes: [
        { metadata: { name: "wait" }, provisioner: "ebs", volumeBindingMode: "WaitForFirstConsumer" },
      ],
    });
    for (const pod of pods) t.provisioner.podChanged(pod);
    t.clock.advance(1000);
    await until(() => t.binder.bindings.length === 1, { what: "the binding" });
    await quiet(t);
    assert.equal(t.virtualNodes.objects.size, 0, "no capacity launched");
    assert.deepEqual(
      t.binder.bindings.map((b) => `${b.pod}@${b.node}`),
      ["default/a@existing"],
    );
    // The pod whose claim is unbound is left to kube-scheduler (its volume binder), but holds its place.
    assert.equal(t.scheduling.ledger.get("uid-claimed")?.nodeName, "existing");
    assert.ok(t.events.events.some((e) => e.reason === "Bound" && e.message.includes("free capacity")));
  });

  it("re-plans at once onto other offerings when launches meet insufficient capacity", async () => {
    const pods = [pendingPod("big", "3", "6Gi")];
    const t = setup(pods);
    // Exhaust every offering of the first plan's types (60 types × 6 zones): each launch tries 60
    // offerings, fails, marks them, and the pod is planned again at once until a free offering is found.
    const probe = setup([pendingPod("big", "3", "6Gi")]);
    probe.provisioner.podChanged(pods[0]!);
    probe.clock.advance(1000);
    await until(() => probe.virtualNodes.objects.size === 1, { what: "the probe's VirtualNode" });
    const exhausted = probe.virtualNodes.list()[0]!.spec.instanceTypes;
    const zones = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"];
    for (const type of exhausted) for (const zone of zones) t.cloud.exhaustCapacity(type, zone, "on-demand");

    t.provisioner.podChanged(pods[0]!);
    t.clock.advance(1000); // one batch window; no further windows are waited for
    await until(() => t.binder.bindings.length === 1, { what: "a launch that succeeds" });
    await quiet(t);
    const all = t.virtualNodes.list();
    const launched = all.filter((vn) => vn.status?.phase === "Launched");
    const failed = all.filter((vn) => vn.status?.phase === "Failed");
    assert.equal(launched.length, 1, "exactly one launch succeeded");
    assert.ok(failed.length >= 1, "the first launch failed");
    for (const vn of failed) assert.match(vn.status?.lastFailure ?? "", /insufficient capacity/);
    assert.ok(t.released.length === failed.length && t.released.every((r) => r.urgency === "now"));
    assert.ok(
      !exhausted.includes(launched[0]!.status?.instanceType ?? ""),
      "an exhausted type was not launched",
    );
    assert.deepEqual(
      t.binder.bindings.map((b) => b.pod),
      ["default/big"],
    );
    assert.equal(t.clock.now(), 1_001_000, "no backoff or batch window was waited for");
  });

  it("reports pods no NodePool can host with the planner's reason, once, and launches nothing", async () => {
    const pods = [pendingPod("s390x", "1", "1Gi", { nodeSelector: { "kubernetes.io/arch": "s390x" } })];
    const t = setup(pods);
    t.provisioner.podChanged(pods[0]!);
    t.clock.advance(1000);
    await until(() => t.events.events.some((e) => e.reason === "FailedProvisioning"), { what: "the event" });
    await quiet(t);
    assert.equal(t.virtualNodes.objects.size, 0);
    const warnings = t.events.events.filter((e) => e.reason === "FailedProvisioning");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /s390x/);
    // The same pod changing again does not re-plan it in a loop.
    t.provisioner.podChanged(pods[0]!);
    t.clock.advance(5000);
    await quiet(t);
    assert.equal(t.events.events.filter((e) => e.reason === "FailedProvisioning").length, 1);
  });

  it("never plans a pod that already holds a reservation", async () => {
    const pods = [pendingPod("a", "1", "1Gi")];
    const t = setup(pods);
    t.scheduling.ledger.reserve({ podUID: "uid-a", nodeName: "somewhere", requests: {} });
    t.provisioner.podChanged(pods[0]!);
    t.clock.advance(1000);
    await quiet(t);
    assert.equal(t.virtualNodes.objects.size, 0);
  });

  it("retries throttled launches with backoff and then succeeds", async () => {
    const pods = [pendingPod("a", "1", "1Gi")];
    const t = setup(pods);
    t.cloud.throttleNext(1);
    t.provisioner.podChanged(pods[0]!);
    t.clock.advance(1000);
    await until(() => (t.virtualNodes.list()[0]?.status?.lastFailure ?? "").includes("Throttled"), {
      what: "the throttled launch",
    });
    await quiet(t);
    const [vn] = t.virtualNodes.list();
    assert.equal(vn?.status?.phase, "Launching");
    assert.match(vn.status.lastFailure ?? "", /Throttled/);
    assert.equal(t.binder.bindings.length, 0);
    t.clock.advance(60_000);
    await until(() => t.binder.bindings.length === 1, { what: "the retried launch's binding" });
    assert.equal(t.virtualNodes.list()[0]?.status?.phase, "Launched");
    assert.equal(t.binder.bindings.length, 1);
  });
  it("binds a GPU pod only once the Node's kubelet advertises the GPU; until then it stays reserved", async () => {
    const { t, node } = await launchedGpuNode();
    // Devices are the device plugin's to advertise: a real kubelet keeps what the Node carried (e2e 45).
    assert.equal(node.status?.allocatable?.["nvidia.com/gpu"], undefined, "rafter's Node leaves the GPU out");
    assert.equal(t.binder.bindings.length, 0, "not bound before the kubelet reports");
    assert.equal(t.scheduling.ledger.get("uid-trainer")?.nodeName, node.metadata?.name, "still reserved");

    // The kubelet adopts the Node: no GPU until the device plugin registers.
    node.status = {
      ...node.status,
      nodeInfo: { kubeletVersion: "v1.36.3" } as NonNullable<V1Node["status"]>["nodeInfo"],
    };
    t.launcher.nodeUpdated(node);
    await quiet(t);
    assert.equal(t.binder.bindings.length, 0, "the kubelet reports no GPU yet");

    node.status = { ...node.status, allocatable: { ...node.status.allocatable, "nvidia.com/gpu": "1" } };
    t.launcher.nodeUpdated(node);
    await until(() => t.binder.bindings.length === 1, { what: "the GPU pod's binding" });
    assert.deepEqual(
      t.binder.bindings.map((b) => [b.pod, b.node]),
      [["default/trainer", node.metadata?.name]],
    );
  });
  it("forgets the pods held for a deleted Node's devices: a later Node of that name does not take them", async () => {
    const { t, node } = await launchedGpuNode();
    t.launcher.nodeDeleted(node.metadata?.name ?? "");

    // Same name again (a reused private IP), this time with a kubelet advertising a GPU.
    node.status = {
      ...node.status,
      nodeInfo: { kubeletVersion: "v1.36.3" } as NonNullable<V1Node["status"]>["nodeInfo"],
      allocatable: { ...node.status?.allocatable, "nvidia.com/gpu": "1" },
    };
    t.launcher.nodeUpdated(node);
    await quiet(t);
    assert.equal(t.binder.bindings.length, 0, "the held pod is not bound to the new Node");
  });
});

/** The GPU pool's node launched for a pending GPU pod (gpuTrainerPod), its Node created by rafter. */
async function launchedGpuNode() {
  const gpuPod = gpuTrainerPod();
  const t = setup([gpuPod], { extraNodePools: ["nodepool-gpu.yaml"] });
  t.provisioner.podChanged(gpuPod);
  t.clock.advance(1000);
  await until(() => t.nodes.nodes.length === 1, { what: "the GPU node's Node" });
  await quiet(t);
  const [node] = t.nodes.nodes;
  assert.ok(node, "the GPU node was launched and its Node created");
  return { t, node };
}

/** A pending pod asking for one NVIDIA GPU (and tolerating the GPU pool's taint). */
function gpuTrainerPod(): V1Pod {
  return pendingPod("trainer", "1", "1Gi", {
    containers: [
      {
        name: "app",
        image: "app",
        resources: { requests: { cpu: "1", memory: "1Gi", "nvidia.com/gpu": "1" } },
      },
    ],
    tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
  });
}

function readyNode(name: string, allocatable: Record<string, string>): V1Node {
  return {
    metadata: {
      name,
      labels: { "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": "us-east-1a" },
    },
    spec: {},
    status: { allocatable, capacity: allocatable, conditions: [{ type: "Ready", status: "True" }] },
  };
}
