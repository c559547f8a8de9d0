// The local control plane: etcd → kube-apiserver → (RBAC + CRDs) → kube-controller-manager,
// kube-scheduler (rafter as extender), kwok, moto → rafter. `startCluster` waits on each component's
// readiness and tears everything down again if any step fails; `Cluster.stop` stops every process
// group (SIGTERM, then SIGKILL) and checks that no port is left bound.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startApiServer } from "./apiserver.js";
import { startControllerManager } from "./controller-manager.js";
import { startEtcd } from "./etcd.js";
import { Kubectl } from "./kubectl.js";
import { createIdentities, writeKubeconfig, type Identities } from "./kubeconfig.js";
import { startKwok } from "./kwok.js";
import { startKwokDevices } from "./kwok-devices.js";
import { createLayout, type Layout } from "./layout.js";
import { seedMoto, type SeededNetwork } from "./moto-seed.js";
import { startMoto, type Moto } from "./moto.js";
import { freePort, portInUse, sleep, waitFor } from "./net.js";
import { createPki } from "./pki.js";
import { Supervisor } from "./process.js";
import { Rafter } from "./rafter.js";
import { onShutdown, startReaper } from "./reaper.js";
import { startScheduler } from "./scheduler.js";
import type { Toolchain } from "./toolchain.js";
import { IMAGES, ociArchive } from "../node/oci-image.js";
import { RealNodes } from "../node/real-nodes.js";

/** When a kube-apiserver restart happened (epoch ms). */
export interface ApiServerRestart {
  /** The old process has exited and its port is free. */
  readonly stoppedAt: number;
  /** The new process was started. */
  readonly startedAt: number;
  /** The new process answers /readyz. */
  readonly readyAt: number;
  /**
   * Control-plane clients (kube-controller-manager, kube-scheduler, kwok) that exited while the API
   * was away, each with how it exited and its last log lines. They were started again, as a kubelet
   * restarts static pods (kube-scheduler, which runs with leader election, exits when it cannot
   * renew its lease in time).
   */
  readonly exited: readonly { readonly name: string; readonly exit: string; readonly logTail: string }[];
}

export interface StartOptions {
  readonly repoRoot: string;
  readonly toolchain: Toolchain;
  /** The cluster's folder (logs/, pki/, data/, config/); created if missing. */
  readonly dir: string;
  readonly clusterName?: string;
  readonly region?: string;
  /** Start rafter as the last step (default false: callers start it with `cluster.rafter.start()`). */
  readonly startRafter?: boolean;
  /** Stop the cluster on SIGINT/SIGTERM/exit (default true). */
  readonly handleSignals?: boolean;
  readonly log?: (line: string) => void;
}

export interface Cluster {
  readonly layout: Layout;
  readonly apiServerUrl: string;
  readonly caFile: string;
  /** Admin kubeconfig (system:masters). */
  readonly kubeconfig: string;
  /** rafter's kubeconfig: its ServiceAccount identity, limited by manifests/rbac. */
  readonly rafterKubeconfig: string;
  readonly identities: Identities;
  /** kubectl as admin. */
  readonly kubectl: Kubectl;
  /** kubectl as rafter (e.g. `auth can-i`). */
  readonly rafterKubectl: Kubectl;
  readonly moto: Moto;
  readonly rafter: Rafter;
  /**
   * Real kubelets for the instances a test chose (EC2NodeClass tag e2e.rafter.test/boot=real-node);
   * idle until `realNodes.watch()`, stopped with the cluster.
   */
  readonly realNodes: RealNodes;
  readonly clusterName: string;
  readonly region: string;
  /** Seconds each start-up phase took. */
  readonly timings: Readonly<Record<string, number>>;
  /** moto reset plus the discovery tags the examples select on. */
  resetMoto(): Promise<SeededNetwork>;
  /**
   * Stops kube-apiserver (SIGTERM), leaves it down for `downMs`, then starts it again on the same
   * port with the same flags and etcd data. Its clients (kube-controller-manager, kube-scheduler,
   * kwok, rafter) must reconnect on their own; one that exited is reported and started again
   * (rafter excepted: whether it survives is for the scenario to judge).
   */
  restartApiServer(options?: { readonly downMs?: number }): Promise<ApiServerRestart>;
  stop(): Promise<void>;
  /**
   * Leaves every process running after this process exits (demo --keep): signal handlers removed,
   * watchdog disarmed. `e2e/down.ts <dir>` stops it later from <dir>/process-groups.
   */
  detach(): void;
}

/**
 * Applies every manifest of a folder (sorted), if the folder has any. Returns the failures instead of
 * throwing when `tolerant` (the CRDs: a CRD the API server rejects is for the scenarios to report, not a
 * reason to refuse to start).
 */
async function applyFolder(kubectl: Kubectl, dir: string, tolerant = false): Promise<string[]> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"));
  } catch {
    return [];
  }
  const failures: string[] = [];
  for (const file of files.sort()) {
    try {
      await kubectl.applyFile(join(dir, file));
    } catch (error) {
      if (!tolerant) throw error;
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  return failures;
}

/** K8S_VERSION from e2e/k8s/versions.env: the version every binary, the kubelet included, is built at. */
function pinnedKubernetesVersion(repoRoot: string): string {
  const env = readFileSync(join(repoRoot, "e2e", "k8s", "versions.env"), "utf8");
  const version = /^K8S_VERSION=(\S+)$/m.exec(env)?.[1];
  if (version === undefined) throw new Error("e2e/k8s/versions.env has no K8S_VERSION");
  return version;
}

export async function startCluster(options: StartOptions): Promise<Cluster> {
  const log = options.log ?? (() => undefined);
  const layout = createLayout(options.dir);
  const clusterName = options.clusterName ?? "rafter-e2e";
  const region = options.region ?? "us-east-1";
  const tools = options.toolchain;
  const reaper = startReaper(join(layout.root, "process-groups"));
  const supervisor = new Supervisor((pgid) => {
    reaper.track(pgid);
  });
  const ports: number[] = [];
  let rafter: Rafter | undefined;
  let realNodes: RealNodes | undefined;
  let stopKwokDevices: (() => Promise<void>) | undefined;
  let stopped = false;
  let removeHandlers = (): void => undefined;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await rafter?.stop();
    await stopKwokDevices?.();
    await realNodes?.stopAll().catch((error: unknown) => {
      log(`warning: ${error instanceof Error ? error.message : String(error)}`);
    });
    await supervisor.stopAll();
    reaper.disarm();
    removeHandlers();
    rmSync(layout.data, { recursive: true, force: true });
    const bound = [];
    for (const port of ports) if (await portInUse(port)) bound.push(port);
    if (bound.length > 0) log(`warning: ports still bound after stop: ${bound.join(", ")}`);
  };
  if (options.handleSignals !== false)
    removeHandlers = onShutdown({
      stop,
      killSync: () => {
        supervisor.killAllSync();
      },
    });

  const timings: Record<string, number> = {};
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await work();
    timings[name] = (Date.now() - started) / 1000;
    log(`${name} ready in ${timings[name].toFixed(1)}s`);
    return result;
  };
  const port = async (): Promise<number> => {
    const p = await freePort();
    ports.push(p);
    return p;
  };

  try {
    const total = Date.now();
    const pki = await phase("pki", () => createPki(layout.pki));
    const identities = createIdentities();
    const etcd = await phase("etcd", () => startEtcd(supervisor, tools.etcd, layout));
    const apiServer = await phase("kube-apiserver", () =>
      startApiServer(supervisor, tools.kubeApiserver, layout, pki, identities, etcd.clientUrl),
    );
    const kubeconfigs = {
      admin: join(layout.config, "admin.kubeconfig"),
      controllerManager: join(layout.config, "kube-controller-manager.kubeconfig"),
      scheduler: join(layout.config, "kube-scheduler.kubeconfig"),
      rafter: join(layout.config, "rafter.kubeconfig"),
    };
    for (const [name, path] of Object.entries(kubeconfigs))
      writeKubeconfig(path, apiServer.url, pki.ca.cert, identities[name as keyof typeof kubeconfigs]);
    const kubectl = new Kubectl(tools.kubectl, kubeconfigs.admin);

    await phase("rbac+crds", async () => {
      await applyFolder(kubectl, join(options.repoRoot, "manifests", "rbac"));
      const failures = await applyFolder(kubectl, join(options.repoRoot, "manifests", "crds"), true);
      for (const failure of failures) log(`warning: CRD rejected: ${failure}`);
      // "no matching resources" (no CRDs yet) is not an error here
      await kubectl.run(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"], {
        allowFailure: true,
      });
    });

    const extenderPort = await port();
    const metricsPort = await port();
    const rafterTls = await pki.serving("rafter", ["DNS:rafter", "DNS:rafter.kube-system.svc"]);
    const [moto, ...clients] = await phase("controllers+kwok+moto", () =>
      Promise.all([
        startMoto(supervisor, tools.motoServer, layout).then(async (started) => {
          await seedMoto(started.endpoint, region, clusterName);
          return started;
        }),
        startControllerManager(
          supervisor,
          tools.kubeControllerManager,
          layout,
          pki,
          kubeconfigs.controllerManager,
        ),
        startScheduler(supervisor, tools.kubeScheduler, layout, {
          configTemplate: join(options.repoRoot, "manifests", "scheduler", "kube-scheduler-config.yaml"),
          kubeconfig: kubeconfigs.scheduler,
          extenderUrl: `https://127.0.0.1:${extenderPort}`,
          caFile: pki.ca.cert,
        }),
        startKwok(
          supervisor,
          { binary: tools.kwok, defaultStages: tools.kwokStages },
          layout,
          kubeconfigs.admin,
        ),
      ]),
    );
    const resetMoto = async (): Promise<SeededNetwork> => {
      await moto.reset();
      return seedMoto(moto.endpoint, region, clusterName);
    };
    // Pods need the namespace's "default" ServiceAccount, which kube-controller-manager creates.
    await phase("service accounts", () =>
      waitFor(
        "the default ServiceAccount",
        async () =>
          (await kubectl.run(["get", "serviceaccount", "default", "-n", "default"], { allowFailure: true }))
            .code === 0,
        { timeoutMs: 60_000, intervalMs: 500 },
      ),
    );

    rafter = new Rafter(supervisor, {
      repoRoot: options.repoRoot,
      layout,
      kubeconfig: kubeconfigs.rafter,
      ec2Endpoint: moto.endpoint,
      clusterName,
      region,
      extenderPort,
      metricsPort,
      tls: rafterTls,
      caFile: pki.ca.cert,
    });
    const rafterHandle = rafter;
    const imagesDir = join(layout.data, "images");
    mkdirSync(imagesDir, { recursive: true });
    const images = Object.entries(IMAGES).map(([name, image]) => {
      const path = join(imagesDir, `${name}.tar`);
      const busybox = "missing" in tools.nodeRuntime ? Buffer.alloc(0) : readFileSync("/bin/busybox");
      writeFileSync(path, ociArchive({ ...image, busybox }));
      return path;
    });
    stopKwokDevices = startKwokDevices(kubectl, log);
    realNodes = new RealNodes({
      supervisor,
      pki,
      kubectl,
      apiServerUrl: apiServer.url,
      ec2Endpoint: moto.endpoint,
      region,
      clusterName,
      tools: { kubelet: tools.kubelet, criReset: tools.criReset, devicePlugin: tools.testDevicePlugin },
      runtime: tools.nodeRuntime,
      images,
      kubeletVersion: pinnedKubernetesVersion(options.repoRoot),
      logFile: (component) => layout.log(component),
      log,
    });
    if (options.startRafter === true) await phase("rafter", () => rafterHandle.start());
    timings.total = (Date.now() - total) / 1000;

    const cluster: Cluster = {
      layout,
      apiServerUrl: apiServer.url,
      caFile: pki.ca.cert,
      kubeconfig: kubeconfigs.admin,
      rafterKubeconfig: kubeconfigs.rafter,
      identities,
      kubectl,
      rafterKubectl: new Kubectl(tools.kubectl, kubeconfigs.rafter),
      moto,
      rafter: rafterHandle,
      realNodes,
      clusterName,
      region,
      timings,
      resetMoto,
      restartApiServer: async ({ downMs = 0 } = {}) => {
        await apiServer.stop();
        const stoppedAt = Date.now();
        await sleep(downMs);
        const startedAt = Date.now();
        await apiServer.start();
        const readyAt = Date.now();
        const exited = [];
        for (const [i, client] of clients.entries()) {
          if (client.running) continue;
          exited.push({ name: client.name, exit: client.describeExit(), logTail: client.logTail(20) });
          clients[i] = supervisor.start(client.spec);
        }
        // kwok plays kubelets, which are not under test here, and does not always come back whole: once
        // its lease cache missed a Lease left by an earlier Node of the same name, its create failed
        // ("already exists"), it never held the new Node and never ran its 40 pods (e2e 30, 240 s). A
        // kubelet gets or updates its Lease; a kwok started afresh lists them first, as it does here.
        for (const [i, client] of clients.entries()) {
          if (client.name !== "kwok" || !client.running) continue;
          await client.stop();
          clients[i] = supervisor.start(client.spec);
        }
        return { stoppedAt, startedAt, readyAt, exited };
      },
      stop,
      detach: () => {
        stopped = true;
        reaper.disarm(true);
        removeHandlers();
      },
    };
    writeFileSync(
      join(layout.root, "cluster.json"),
      JSON.stringify(
        {
          apiServerUrl: apiServer.url,
          kubeconfig: kubeconfigs.admin,
          rafterKubeconfig: kubeconfigs.rafter,
          ec2Endpoint: moto.endpoint,
          extenderUrl: rafterHandle.extenderUrl,
          metricsUrl: rafterHandle.metricsUrl,
          // The Node that runs this harness (the project's own, under npm run), not whatever `node` a shell finds.
          rafterCommand: [process.execPath, ...rafterHandle.args()].join(" "),
          logs: layout.logs,
        },
        null,
        2,
      ),
    );
    return cluster;
  } catch (error) {
    await stop();
    throw new Error(
      `cluster start-up failed (logs in ${layout.logs}): ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
}
