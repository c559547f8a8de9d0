// kwok plays the kubelets: it manages the Nodes annotated kwok.x-k8s.io/node=fake (marks them Ready,
// keeps their heartbeats and leases) and runs the pods bound to them, with its built-in fast stages.
// A Node without the annotation is never managed and never becomes Ready. The node stages are kwok's
// defaults plus one that makes a labelled node NotReady (kwok-stages.ts).
import { writeKwokStages } from "./kwok-stages.js";
import type { Layout } from "./layout.js";
import { freePort, waitForHttpOk } from "./net.js";
import type { ManagedProcess, Supervisor } from "./process.js";

export const KWOK_NODE_ANNOTATION = { key: "kwok.x-k8s.io/node", value: "fake" } as const;

export async function startKwok(
  supervisor: Supervisor,
  kwok: { readonly binary: string; readonly defaultStages: string },
  layout: Layout,
  kubeconfig: string,
): Promise<ManagedProcess> {
  const port = await freePort();
  const process = supervisor.start({
    name: "kwok",
    command: kwok.binary,
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION.key}=${KWOK_NODE_ANNOTATION.value}`,
      `--server-address=127.0.0.1:${port}`,
      "--cidr=10.244.0.1/16",
      "--node-lease-duration-seconds=40",
      `--config=${writeKwokStages(kwok.defaultStages, layout.config)}`,
    ],
    // kwok reads ~/.kwok/kwok.yaml when it exists: point it at an empty home so the machine's own
    // configuration never leaks into the tests.
    env: { ...globalThis.process.env, HOME: layout.data },
    logFile: layout.log("kwok"),
  });
  await waitForHttpOk(
    "kwok /healthz",
    `http://127.0.0.1:${port}/healthz`,
    {},
    { timeoutMs: 30_000, process },
  );
  return process;
}
