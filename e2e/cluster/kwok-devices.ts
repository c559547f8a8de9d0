// kwok plays the kubelets of most e2e nodes, but no kubelet advertises a device without a device
// plugin, and rafter leaves device resources (nvidia.com/gpu, aws.amazon.com/neuron, …) off the Nodes
// it pre-creates for exactly that reason. This stand-in plays the device plugins of kwok's nodes: once
// such a Node exists, it writes the devices of its instance type (from the embedded catalogue) into
// the Node's status, as the kubelet would once its plugin registered. Real nodes (e2e/node) are left
// to their own kubelet and test device plugin.
import { loadEmbeddedCatalog } from "../../src/catalog/embedded.js";
import { isDeviceResource } from "../../src/controllers/binding-policy.js";
import { formatResourceList } from "../../src/domain/resources.js";
import { KWOK_NODE_ANNOTATION } from "./kwok.js";
import type { Kubectl } from "./kubectl.js";

interface NodeJson {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  status?: { allocatable?: Record<string, string> };
}

/** Polls rafter's kwok nodes every `intervalMs` until the returned stop() is called. */
export function startKwokDevices(
  kubectl: Kubectl,
  log: (line: string) => void,
  intervalMs = 1_000,
): () => Promise<void> {
  const devicesOf = new Map(
    loadEmbeddedCatalog().instanceTypes.map((type) => [
      type.name,
      Object.fromEntries(Object.entries(type.capacity).filter(([name]) => isDeviceResource(name))),
    ]),
  );
  const state = { running: true };
  const tick = async (): Promise<void> => {
    const nodes = await kubectl.getJson<{ items: NodeJson[] }>("nodes", undefined, [
      "-l=rafter.dev/nodepool",
    ]);
    for (const node of nodes.items) {
      if (node.metadata.annotations?.[KWOK_NODE_ANNOTATION.key] !== KWOK_NODE_ANNOTATION.value) continue;
      const devices = devicesOf.get(node.metadata.labels?.["node.kubernetes.io/instance-type"] ?? "") ?? {};
      const missing = Object.keys(devices).filter((name) => node.status?.allocatable?.[name] === undefined);
      if (missing.length === 0) continue;
      const advertised = formatResourceList(devices);
      await kubectl.run(
        [
          "patch",
          "node",
          node.metadata.name,
          "--subresource=status",
          "--type=merge",
          `--patch=${JSON.stringify({ status: { capacity: advertised, allocatable: advertised } })}`,
        ],
        { allowFailure: true },
      );
      log(`kwok devices: ${node.metadata.name} advertises ${missing.join(", ")}`);
    }
  };
  const loop = (async () => {
    while (state.running) {
      await tick().catch(() => undefined); // the API server may be restarting (e2e 30)
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return async () => {
    state.running = false;
    await loop;
  };
}
