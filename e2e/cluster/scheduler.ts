// kube-scheduler with rafter as its extender, configured by manifests/scheduler's file with only the
// extender's urlPrefix, its CA file and the client kubeconfig changed for the local cluster.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import type { Layout } from "./layout.js";
import { freePort, waitForHttpOk } from "./net.js";
import type { ManagedProcess, Supervisor } from "./process.js";

export interface SchedulerSettings {
  /** The shipped configuration, manifests/scheduler/kube-scheduler-config.yaml. */
  readonly configTemplate: string;
  readonly kubeconfig: string;
  readonly extenderUrl: string;
  readonly caFile: string;
}

interface ExtenderConfig {
  urlPrefix?: string;
  tlsConfig?: { caFile?: string };
}
interface SchedulerConfig {
  clientConnection?: { kubeconfig?: string };
  extenders?: ExtenderConfig[];
}

/** Renders the shipped configuration for the local cluster; throws if it has no rafter extender. */
export function renderSchedulerConfig(settings: SchedulerSettings): string {
  const config = parse(readFileSync(settings.configTemplate, "utf8")) as SchedulerConfig;
  const extender = config.extenders?.[0];
  if (extender?.urlPrefix === undefined || config.extenders?.length !== 1)
    throw new Error(`${settings.configTemplate}: expected exactly one extender with a urlPrefix`);
  extender.urlPrefix = settings.extenderUrl;
  extender.tlsConfig = { ...extender.tlsConfig, caFile: settings.caFile };
  config.clientConnection = { ...config.clientConnection, kubeconfig: settings.kubeconfig };
  return stringify(config);
}

export async function startScheduler(
  supervisor: Supervisor,
  binary: string,
  layout: Layout,
  settings: SchedulerSettings,
): Promise<ManagedProcess> {
  const port = await freePort();
  const configFile = join(layout.config, "kube-scheduler-config.yaml");
  writeFileSync(configFile, renderSchedulerConfig(settings));
  const process = supervisor.start({
    name: "kube-scheduler",
    command: binary,
    args: [
      `--config=${configFile}`,
      `--authentication-kubeconfig=${settings.kubeconfig}`,
      `--authorization-kubeconfig=${settings.kubeconfig}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${port}`,
      `--cert-dir=${layout.data}/kube-scheduler`,
      "--v=2",
    ],
    logFile: layout.log("kube-scheduler"),
  });
  await waitForHttpOk(
    "kube-scheduler /readyz",
    `https://127.0.0.1:${port}/readyz`,
    { insecure: true },
    { timeoutMs: 60_000, process },
  );
  return process;
}
