import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { effectivePodRequests } from "../../src/state/pod-requests.js";
import { asPod } from "../extender/support.js";

const container = (name: string, requests: Record<string, string>, restartPolicy?: string) => ({
  name,
  resources: { requests },
  ...(restartPolicy ? { restartPolicy } : {}),
});

describe("effectivePodRequests", () => {
  const cases: { name: string; spec: object; want: Record<string, number> }[] = [
    {
      name: "sums containers and counts one pod slot",
      spec: { containers: [container("a", { cpu: "250m", memory: "1Gi" }), container("b", { cpu: "1" })] },
      want: { cpu: 1250, memory: 2 ** 30, pods: 1 },
    },
    {
      name: "an init container larger than the containers sets the peak",
      spec: {
        containers: [container("a", { cpu: "1" })],
        initContainers: [container("init", { cpu: "2", memory: "1Mi" })],
      },
      want: { cpu: 2000, memory: 2 ** 20, pods: 1 },
    },
    {
      name: "sidecars run next to the containers and to later init containers",
      spec: {
        containers: [container("a", { cpu: "1" })],
        initContainers: [container("sidecar", { cpu: "500m" }, "Always"), container("init", { cpu: "2" })],
      },
      want: { cpu: 2500, pods: 1 },
    },
    {
      name: "adds the RuntimeClass overhead",
      spec: { containers: [container("a", { cpu: "1" })], overhead: { cpu: "100m" } },
      want: { cpu: 1100, pods: 1 },
    },
    {
      name: "pod-level requests replace the container sum",
      spec: { containers: [container("a", { cpu: "1" })], resources: { requests: { cpu: "3" } } },
      want: { cpu: 3000, pods: 1 },
    },
    {
      name: "a pod without requests still takes a slot",
      spec: { containers: [{ name: "a" }] },
      want: { pods: 1 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(effectivePodRequests(asPod({ spec: c.spec })), c.want);
    });
  }

  it("throws on a malformed quantity", () => {
    assert.throws(
      () => effectivePodRequests(asPod({ spec: { containers: [container("a", { cpu: "x" })] } })),
      /invalid quantity/,
    );
  });
});
