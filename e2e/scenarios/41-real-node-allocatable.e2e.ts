// Allocatable agreement. The "instance" is this machine, so the kubelet reports this machine's
// capacity, not the instance type's: what is compared is the formula. rafter's allocatable computation
// (src/catalog/allocatable.ts, the catalogue's) applied to the capacity and the kubelet settings the
// real kubelet reports (/configz through the API server) must give the allocatable the kubelet reports,
// for cpu, memory, pods and ephemeral-storage — once with the kubelet's own kube-reserved, once with
// kube-reserved left to rafter's EKS formula (as the catalogue does). Any difference fails.
import assert from "node:assert/strict";
import { computeAllocatable } from "../../src/catalog/allocatable.js";
import { loadEmbeddedCatalog } from "../../src/catalog/embedded.js";
import { kubeletSettingsOf } from "../../src/catalog/kubelet-settings.js";
import { parseResourceList, type Resources } from "../../src/domain/resources.js";
import { formatResourceQuantity } from "../../src/domain/quantity.js";
import { scenario } from "../harness/scenario.js";
import { virtualNodes } from "../harness/provisioning.js";
import { appDeployment, startRealNodes } from "../harness/real-nodes.js";

interface Configz {
  kubeletconfig: {
    maxPods?: number;
    systemReserved?: Record<string, string>;
    kubeReserved?: Record<string, string>;
    evictionHard?: Record<string, string>;
  };
}

const RESOURCES = ["cpu", "memory", "pods", "ephemeral-storage"] as const;

scenario(
  "rafter's allocatable formula gives what the real kubelet reports",
  { needsRafter: true, timeoutMs: 150_000 },
  async (t) => {
    const { cluster, kubectl, eventually } = t;
    const booted = await startRealNodes(t);
    await kubectl.apply(appDeployment("one", 1));
    const node = await booted.first();
    const [vn] = await virtualNodes(cluster);

    // the kubelet has replaced rafter's catalogue figures once its status carries its version
    const status = await eventually("the kubelet's node status", async () => {
      const json = await cluster.kubectl.getJson<{
        status: {
          capacity?: Record<string, string>;
          allocatable?: Record<string, string>;
          nodeInfo?: { kubeletVersion?: string };
          conditions?: { type: string; status: string }[];
        };
      }>("node", node.nodeName);
      const ready = json.status.conditions?.some((c) => c.type === "Ready" && c.status === "True");
      return ready === true ? json.status : undefined;
    });
    const configz = JSON.parse(
      (await cluster.kubectl.run(["get", "--raw", `/api/v1/nodes/${node.nodeName}/proxy/configz`])).stdout,
    ) as Configz;
    const settings = configz.kubeletconfig;
    const capacity = parseResourceList(status.capacity);
    const kubeletAllocatable = parseResourceList(status.allocatable);
    const info = { VCpuInfo: { DefaultVCpus: (capacity.cpu ?? 0) / 1000 } };
    const kubelet = {
      maxPods: settings.maxPods,
      // what the kubelet runs with, absent meaning none (rafter's own defaults would otherwise apply)
      systemReserved: settings.systemReserved ?? {},
      evictionHard: settings.evictionHard ?? {},
    };
    const withKubeletReserved = computeAllocatable(info, capacity, {
      kubelet: { ...kubelet, kubeReserved: settings.kubeReserved ?? {} },
    });
    const withRafterReserved = computeAllocatable(info, capacity, { kubelet });

    const show = (resources: Resources, name: string): string =>
      formatResourceQuantity(name, resources[name] ?? 0);
    t.log(
      `kubelet settings: kubeReserved ${JSON.stringify(settings.kubeReserved)}, systemReserved ${JSON.stringify(settings.systemReserved ?? {})}, evictionHard ${JSON.stringify(settings.evictionHard)}, maxPods ${String(settings.maxPods)}`,
    );
    t.log(
      "resource           capacity         kubelet alloc.   rafter (kubelet's kube-reserved)  rafter (EKS formula)",
    );
    const differences: string[] = [];
    for (const name of RESOURCES) {
      const row = [
        name.padEnd(18),
        show(capacity, name).padEnd(16),
        show(kubeletAllocatable, name).padEnd(16),
        show(withKubeletReserved, name).padEnd(33),
        show(withRafterReserved, name),
      ];
      t.log(row.join(" "));
      if (withKubeletReserved[name] !== kubeletAllocatable[name])
        differences.push(
          `${name}: rafter ${String(withKubeletReserved[name])} vs kubelet ${String(kubeletAllocatable[name])}`,
        );
    }
    // The kubelet's kube-reserved is what rafter rendered for the planned instance type (the same
    // settings object the catalogue's allocatable comes from), not the EKS formula applied to this
    // machine's cores (the last column, shown for comparison).
    const planned = loadEmbeddedCatalog().instanceTypes.find(
      (type) => type.name === vn?.status?.instanceType,
    );
    assert.ok(planned, `the planned type ${vn?.status?.instanceType ?? "?"} is in the catalogue`);
    const rendered = kubeletSettingsOf(undefined, planned.capacity).kubeReserved;
    assert.equal(settings.kubeReserved?.cpu, rendered.cpu, "kube-reserved cpu of the planned type");
    assert.equal(settings.kubeReserved?.memory, rendered.memory, "kube-reserved memory of the planned type");
    t.log(
      `rafter planned ${vn?.status?.instanceType ?? "?"} with the catalogue's figures; the Node it created carried them until the kubelet reported this machine's`,
    );
    assert.deepEqual(differences, [], "rafter's formula and the kubelet agree");
  },
);
