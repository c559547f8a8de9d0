// Table-driven cases for podRequests, taken from kube-scheduler's own rules (kubernetes/kubernetes):
// - staging/src/k8s.io/component-helpers/resource/helpers_test.go: TestPodRequestsAndLimits,
//   TestPodResourceRequests and TestPodLevelResourceRequests (case names kept as `upstream:`);
// - pkg/apis/core/v1/defaults.go (SetDefaults_Pod, defaultPodRequests) and
//   pkg/api/testing/defaulting_test.go TestPodLevelResourcesDefaults for the defaulting cases: the
//   upstream helper tests feed undefaulted pods, the API server never does, so where a case gives a
//   limit without a request the expectation here is the defaulted request.
// Units are canonical: cpu in millicores, everything else in base units; every pod takes a pod slot.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { V1Container, V1PodSpec } from "@kubernetes/client-node";
import { podRequests } from "../../src/domain/pod-requests.js";
import { InvalidQuantityError } from "../../src/domain/quantity.js";

const Mi = 2 ** 20;
const Gi = 2 ** 30;

type List = Record<string, string>;

function c(name: string, requests?: List, limits?: List, restartPolicy?: "Always"): V1Container {
  return {
    name,
    resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) },
    ...(restartPolicy ? { restartPolicy } : {}),
  };
}
const sidecar = (name: string, requests?: List, limits?: List): V1Container =>
  c(name, requests, limits, "Always");

interface Case {
  readonly name: string;
  readonly spec: Partial<V1PodSpec>;
  readonly want: Record<string, number>;
}

const cases: readonly Case[] = [
  // TestPodRequestsAndLimits
  {
    name: "upstream: just-limit-no-overhead (defaulted: the limit becomes the request)",
    spec: { containers: [c("foo", undefined, { cpu: "9" })] },
    want: { cpu: 9000, pods: 1 },
  },
  {
    name: "upstream: just-overhead",
    spec: { containers: [c("foo")], overhead: { cpu: "5", memory: "5" } },
    want: { cpu: 5000, memory: 5, pods: 1 },
  },
  {
    name: "upstream: req-and-overhead",
    spec: { containers: [c("foo", { cpu: "1", memory: "10" })], overhead: { cpu: "5", memory: "5" } },
    want: { cpu: 6000, memory: 15, pods: 1 },
  },
  {
    name: "upstream: all-req-lim-and-overhead",
    spec: {
      containers: [c("foo", { cpu: "1", memory: "10" }, { cpu: "2", memory: "12" })],
      overhead: { cpu: "5", memory: "5" },
    },
    want: { cpu: 6000, memory: 15, pods: 1 },
  },
  {
    name: "upstream: req-some-lim-and-overhead",
    spec: {
      containers: [c("foo", { cpu: "1", memory: "10" }, { cpu: "2" })],
      overhead: { cpu: "5", memory: "5" },
    },
    want: { cpu: 6000, memory: 15, pods: 1 },
  },
  // TestPodResourceRequests
  {
    name: "upstream: nil options, larger init container",
    spec: { initContainers: [c("i", { cpu: "4" })], containers: [c("a", { cpu: "1" })] },
    want: { cpu: 4000, pods: 1 },
  },
  {
    name: "upstream: nil options, larger containers",
    spec: {
      initContainers: [c("i", { cpu: "2" })],
      containers: [c("a", { cpu: "2" }), c("b", { cpu: "3" })],
    },
    want: { cpu: 5000, pods: 1 },
  },
  {
    name: "upstream: pod overhead included",
    spec: {
      overhead: { cpu: "1", memory: "1Gi" },
      initContainers: [c("i", { cpu: "2" }, { cpu: "2" })],
      containers: [c("a", { cpu: "2" }), c("b", { cpu: "3" })],
    },
    want: { cpu: 6000, memory: Gi, pods: 1 },
  },
  {
    name: "upstream: restartable init container",
    spec: { initContainers: [sidecar("r1", { cpu: "1" })], containers: [c("a", { cpu: "1" })] },
    want: { cpu: 2000, pods: 1 },
  },
  {
    name: "upstream: multiple restartable init containers (max(5, 1+2+3+1))",
    spec: {
      initContainers: [
        c("init-1", { cpu: "5" }),
        sidecar("r1", { cpu: "1" }),
        sidecar("r2", { cpu: "2" }),
        sidecar("r3", { cpu: "3" }),
      ],
      containers: [c("a", { cpu: "1" })],
    },
    want: { cpu: 7000, pods: 1 },
  },
  {
    name: "upstream: multiple restartable and regular init containers (init-2 runs beside r1, r2 only)",
    spec: {
      initContainers: [
        c("init-1", { cpu: "5" }),
        sidecar("r1", { cpu: "1" }),
        sidecar("r2", { cpu: "2" }),
        c("init-2", { cpu: "5" }),
        sidecar("r3", { cpu: "3" }),
      ],
      containers: [c("a", { cpu: "1" })],
    },
    want: { cpu: 8000, pods: 1 },
  },
  {
    name: "upstream: restartable-init, init and regular",
    spec: {
      initContainers: [sidecar("r1", { cpu: "10" }), c("init-1", { cpu: "200" })],
      containers: [c("a", { cpu: "100" })],
    },
    want: { cpu: 210_000, pods: 1 },
  },
  // TestPodLevelResourceRequests
  {
    name: "upstream: pod level memory and container level cpu resources",
    spec: { resources: { requests: { memory: "2Mi" } }, containers: [c("a", { cpu: "2m" })] },
    want: { memory: 2 * Mi, cpu: 2, pods: 1 },
  },
  {
    name: "upstream: pod level unsupported resources set at both pod-level and container-level",
    spec: { resources: { requests: { storage: "2Mi" } }, containers: [c("a", { storage: "3Mi" })] },
    want: { storage: 3 * Mi, pods: 1 },
  },
  {
    name: "upstream: both container-level and pod-level resources set",
    spec: {
      resources: { requests: { memory: "6Mi", cpu: "8m" } },
      containers: [c("a", { memory: "3Mi", cpu: "2m" })],
    },
    want: { memory: 6 * Mi, cpu: 8, pods: 1 },
  },
  {
    name: "upstream: container-level resources, init and sidecar container set",
    spec: {
      containers: [c("a", { memory: "3Mi", cpu: "2m" })],
      initContainers: [sidecar("s", { memory: "5Mi", cpu: "4m" }), c("i", { memory: "6Mi", cpu: "8m" })],
    },
    want: { memory: 11 * Mi, cpu: 12, pods: 1 },
  },
  {
    name: "upstream: pod-level resources, container-level resources, init and sidecar container set",
    spec: {
      resources: { requests: { memory: "15Mi", cpu: "18m" } },
      containers: [c("a", { memory: "3Mi", cpu: "2m" })],
      initContainers: [sidecar("s", { memory: "5Mi", cpu: "4m" }), c("i", { memory: "6Mi", cpu: "8m" })],
    },
    want: { memory: 15 * Mi, cpu: 18, pods: 1 },
  },
  {
    name: "upstream: pod-level resources, container-level resources, hugepages between pod-level and container-level",
    spec: {
      resources: { limits: { "hugepages-2Mi": "10Mi" }, requests: { cpu: "1", "hugepages-2Mi": "10Mi" } },
      containers: [c("a", { memory: "4Mi", "hugepages-1Gi": "1Gi" }, { "hugepages-1Gi": "1Gi" })],
    },
    want: { cpu: 1000, memory: 4 * Mi, "hugepages-2Mi": 10 * Mi, "hugepages-1Gi": Gi, pods: 1 },
  },
  // API server defaulting (defaults.go), then PodRequests
  {
    name: "defaulting: limits only, on containers, sidecars and init containers",
    spec: {
      containers: [
        c("a", undefined, { cpu: "1", memory: "1Gi" }),
        c("b", { cpu: "250m" }, { memory: "1Gi" }),
      ],
      initContainers: [
        sidecar("s", undefined, { cpu: "500m" }),
        c("i", undefined, { cpu: "3", memory: "1Gi" }),
      ],
    },
    // containers + sidecar: cpu 1.75, memory 2Gi; init step: 3 + 0.5 cpu, 1Gi: cpu max is the init.
    want: { cpu: 3500, memory: 2 * Gi, pods: 1 },
  },
  {
    name: "defaulting: an explicit zero request is kept, not replaced by the limit",
    spec: { containers: [c("a", { cpu: "0" }, { cpu: "2" })] },
    want: { cpu: 0, pods: 1 },
  },
  {
    name: "defaulting: pod-level limits with no requests anywhere become the pod's requests",
    spec: { resources: { limits: { cpu: "2", memory: "1Gi" } }, containers: [c("a"), c("b")] },
    want: { cpu: 2000, memory: Gi, pods: 1 },
  },
  {
    name: "defaulting: a pod-level limit keeps the containers' aggregate request where they name one",
    spec: {
      resources: { limits: { cpu: "4", memory: "4Gi" } },
      containers: [c("a", { cpu: "500m" }), c("b", undefined, { cpu: "1" })],
    },
    want: { cpu: 1500, memory: 4 * Gi, pods: 1 },
  },
  {
    name: "defaulting: a pod-level hugepages limit is the request (hugepages are never overcommitted)",
    spec: {
      resources: { limits: { "hugepages-2Mi": "10Mi" }, requests: { memory: "1Gi" } },
      containers: [c("a", undefined, { "hugepages-2Mi": "6Mi" })],
    },
    want: { memory: Gi, "hugepages-2Mi": 10 * Mi, pods: 1 },
  },
  // Extended resources and names pod-level resources do not cover
  {
    name: "extended resources: summed, max'ed over init containers, untouched by pod-level requests",
    spec: {
      resources: { requests: { cpu: "4", "nvidia.com/gpu": "8" } },
      containers: [c("a", { cpu: "1" }, { "nvidia.com/gpu": "1" }), c("b", { "example.com/foo": "2" })],
      initContainers: [c("i", { "example.com/foo": "5" })],
    },
    want: { cpu: 4000, "nvidia.com/gpu": 1, "example.com/foo": 5, pods: 1 },
  },
  {
    name: "ephemeral-storage from a limit, hugepages summed over containers and sidecars",
    spec: {
      containers: [c("a", undefined, { "ephemeral-storage": "1Gi", "hugepages-2Mi": "4Mi" })],
      initContainers: [sidecar("s", { "hugepages-2Mi": "2Mi" }, { "hugepages-2Mi": "2Mi" })],
    },
    want: { "ephemeral-storage": Gi, "hugepages-2Mi": 6 * Mi, pods: 1 },
  },
  {
    name: "overhead is added on top of pod-level requests",
    spec: {
      resources: { requests: { cpu: "1" } },
      containers: [c("a", { cpu: "100m" })],
      overhead: { cpu: "250m", memory: "120Mi" },
    },
    want: { cpu: 1250, memory: 120 * Mi, pods: 1 },
  },
  {
    name: "a pod without requests still takes a slot",
    spec: { containers: [c("a")] },
    want: { pods: 1 },
  },
];

describe("podRequests (kube-scheduler NodeResourcesFit semantics)", () => {
  for (const k of cases) {
    it(k.name, () => {
      assert.deepEqual(podRequests({ spec: { containers: [], ...k.spec } }), k.want);
    });
  }

  it("throws InvalidQuantityError on a malformed quantity, in any list", () => {
    for (const spec of [
      { containers: [c("a", { cpu: "x" })] },
      { containers: [c("a", undefined, { memory: "1Q" })] },
      { containers: [], resources: { requests: { cpu: "lots" } } },
      { containers: [], overhead: { cpu: "" } },
    ])
      assert.throws(() => podRequests({ spec }), InvalidQuantityError);
  });
});
