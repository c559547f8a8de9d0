// Property: for any pod (containers, sidecars, init containers, requests and/or limits, extended
// resources, hugepages, pod-level resources, overhead), the planner's pod model, the cluster state's
// pod record, the extender's pod facts and the reservation ledger's entry hold the same requests.
// They disagreed before one function served them all (a container with limits only, pod-level
// resources), so the planner could plan capacity the extender then judged too small.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { V1Container, V1Pod, V1PodSpec } from "@kubernetes/client-node";
import { ManualClock } from "../../src/clock.js";
import type { ClusterReader } from "../../src/controllers/cluster-reader.js";
import { resumeInFlight } from "../../src/controllers/resume.js";
import { podFacts } from "../../src/extender/pod-facts.js";
import { compileModel } from "../../src/planner/model.js";
import { ClusterState } from "../../src/state/cluster-state.js";
import { ReservationLedger } from "../../src/state/reservation-ledger.js";
import { virtualNode } from "../extender/support.js";
import { snapshot } from "../planner/support/builders.js";

const quantities: Readonly<Record<string, readonly string[]>> = {
  cpu: ["0", "100m", "250m", "1", "1500m", "3"],
  memory: ["0", "64Mi", "1Gi", "1500M", "3Gi"],
  "ephemeral-storage": ["1Gi", "10G"],
  "hugepages-2Mi": ["2Mi", "8Mi"],
  "nvidia.com/gpu": ["1", "2"],
};

const resourceListArb = (names: readonly string[]): fc.Arbitrary<Record<string, string> | undefined> =>
  fc.option(
    fc
      .subarray([...names], { minLength: 1 })
      .chain((picked) =>
        fc.tuple(
          ...picked.map((n) => fc.constantFrom(...(quantities[n] ?? ["1"])).map((q) => [n, q] as const)),
        ),
      )
      .map((entries) => Object.fromEntries(entries)),
    { nil: undefined },
  );

const allNames = Object.keys(quantities);
const podLevelNames = ["cpu", "memory", "hugepages-2Mi"];

const containerArb = (sidecarAllowed: boolean): fc.Arbitrary<Omit<V1Container, "name">> =>
  fc
    .record({
      requests: resourceListArb(allNames),
      limits: resourceListArb(allNames),
      sidecar: sidecarAllowed ? fc.boolean() : fc.constant(false),
    })
    .map(({ requests, limits, sidecar }) => ({
      resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) },
      ...(sidecar ? { restartPolicy: "Always" } : {}),
    }));

const specArb: fc.Arbitrary<V1PodSpec> = fc
  .record({
    containers: fc.array(containerArb(false), { minLength: 1, maxLength: 3 }),
    initContainers: fc.array(containerArb(true), { maxLength: 4 }),
    podRequests: resourceListArb(podLevelNames),
    podLimits: resourceListArb(podLevelNames),
    overhead: resourceListArb(["cpu", "memory"]),
  })
  .map((s) => ({
    containers: s.containers.map((c, i) => ({ name: `c${i}`, ...c })),
    ...(s.initContainers.length > 0
      ? { initContainers: s.initContainers.map((c, i) => ({ name: `i${i}`, ...c })) }
      : {}),
    ...(s.podRequests || s.podLimits
      ? {
          resources: {
            ...(s.podRequests ? { requests: s.podRequests } : {}),
            ...(s.podLimits ? { limits: s.podLimits } : {}),
          },
        }
      : {}),
    ...(s.overhead ? { overhead: s.overhead } : {}),
  }));

function podWith(spec: V1PodSpec): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "uid-p" },
    spec,
    status: { phase: "Pending" },
  };
}

function readerOf(pods: readonly V1Pod[], vnName: string): ClusterReader {
  return {
    pods: () => pods,
    virtualNodes: () => [virtualNode(vnName, vnName, "Launching", [{ name: "p", uid: "uid-p" }])],
    nodes: () => [],
    nodePools: () => [],
    nodeClasses: () => [],
    daemonSets: () => [],
    persistentVolumeClaims: () => [],
    persistentVolumes: () => [],
    storageClasses: () => [],
    namespaces: () => [],
    podDisruptionBudgets: () => [],
    volumeAttachments: () => [],
  };
}

describe("one pod-requests function: every component's view of a pod agrees", () => {
  it("planner pod model = cluster state record = extender facts = ledger reservation", () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const pod = podWith(spec);
        const planner = compileModel(snapshot({ pendingPods: [pod] })).pending[0]?.requests;

        const state = new ClusterState();
        state.upsertPod(pod);
        const record = state.pod("uid-p")?.requests;

        const facts = podFacts(pod);
        assert.ok(facts.ok);

        const ledger = new ReservationLedger({ clock: new ManualClock() });
        resumeInFlight(readerOf([pod], "vn-1"), { launch: () => undefined }, ledger);
        const reserved = ledger.get("uid-p")?.requests;

        assert.equal(planner?.pods, 1);
        assert.deepEqual(record, planner);
        assert.deepEqual(facts.value.requests, planner);
        assert.deepEqual(reserved, planner);
      }),
      { numRuns: 300 },
    );
  });
});
