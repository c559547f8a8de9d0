// The Kubernetes API clients rafter uses, built once from a kubeconfig (or the in-cluster config)
// and passed to whoever needs them.
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  PolicyV1Api,
  StorageV1Api,
} from "@kubernetes/client-node";
import { existsSync } from "node:fs";
import { errorMessage } from "../domain/error-message.js";
import { UsageError } from "../usage-error.js";
import { KeepAliveKubeConfig } from "./keep-alive.js";

export interface KubeClients {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly storage: StorageV1Api;
  readonly policy: PolicyV1Api;
  readonly coordination: CoordinationV1Api;
  readonly events: EventsV1Api;
  readonly custom: CustomObjectsApi;
}

/**
 * The kubeconfig at `kubeconfigPath`, or the default one ($KUBECONFIG, ~/.kube/config, in-cluster)
 * when it is empty. A missing or unreadable file is a UsageError with a one-line message.
 */
export function loadKubeConfig(kubeconfigPath: string): KubeConfig {
  if (kubeconfigPath !== "" && !existsSync(kubeconfigPath))
    throw new UsageError(`--kubeconfig ${kubeconfigPath}: no such file`);
  const kubeConfig = new KeepAliveKubeConfig();
  try {
    if (kubeconfigPath !== "") kubeConfig.loadFromFile(kubeconfigPath);
    else kubeConfig.loadFromDefault();
  } catch (error) {
    throw new UsageError(`kubeconfig: ${firstLine(error)}`);
  }
  // Checked here rather than by the first client call, which would only say "No active cluster!".
  if (!kubeConfig.getCurrentCluster())
    throw new UsageError(
      `kubeconfig ${kubeconfigPath === "" ? "(default)" : kubeconfigPath}: no current context with a cluster`,
    );
  return kubeConfig;
}

function firstLine(error: unknown): string {
  return errorMessage(error).split("\n")[0] ?? "";
}

export function createKubeClients(kubeConfig: KubeConfig): KubeClients {
  return {
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    storage: kubeConfig.makeApiClient(StorageV1Api),
    policy: kubeConfig.makeApiClient(PolicyV1Api),
    coordination: kubeConfig.makeApiClient(CoordinationV1Api),
    events: kubeConfig.makeApiClient(EventsV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
  };
}
