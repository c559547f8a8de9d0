// A single throw-away etcd member on loopback (built from go.etcd.io/etcd/server/v3 in e2e/k8s).
import { join } from "node:path";
import type { Layout } from "./layout.js";
import { freePort, waitForHttpOk } from "./net.js";
import type { ManagedProcess, Supervisor } from "./process.js";

export interface Etcd {
  readonly process: ManagedProcess;
  readonly clientUrl: string;
}

export async function startEtcd(supervisor: Supervisor, binary: string, layout: Layout): Promise<Etcd> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const process = supervisor.start({
    name: "etcd",
    command: binary,
    args: [
      "--name=e2e",
      `--data-dir=${join(layout.data, "etcd")}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=e2e=${peerUrl}`,
      "--initial-cluster-state=new",
      "--unsafe-no-fsync",
      "--log-level=warn",
    ],
    logFile: layout.log("etcd"),
  });
  await waitForHttpOk("etcd /health", `${clientUrl}/health`, {}, { timeoutMs: 30_000, process });
  return { process, clientUrl };
}
