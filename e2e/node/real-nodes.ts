// "The instance boots": the harness plays EC2's machines for the instances the test chose (those
// tagged e2e.rafter.test/boot=real-node, a tag the test puts on its EC2NodeClass — rafter never
// decides it). For each such instance moto reports running, it reads the instance's user data (what
// IMDS would serve it), translates it as nodeadm would (nodeadm-kubelet.ts) and starts a containerd
// and a kubelet: node name = the private DNS name, provider ID aws:///<zone>/<id>, node IP = the
// private IP (added to lo), credentials = a client certificate CN=system:node:<name>, O=system:nodes.
// An instance that moto no longer reports running is a machine switched off: its node is torn down.
// It also does the one job of EKS's cloud controller manager a kubelet with --cloud-provider=external
// waits for: removing the node.cloudprovider.kubernetes.io/uninitialized taint from a Node it registered.
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  EC2Client,
  type Instance,
  type InstanceTypeInfo,
} from "@aws-sdk/client-ec2";
import { mkdtempSync, rmdirSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import type { Kubectl } from "../cluster/kubectl.js";
import type { Pki } from "../cluster/pki.js";
import type { ManagedProcess, Supervisor } from "../cluster/process.js";
import { startContainerd, type StartedContainerd } from "./containerd.js";
import {
  addAddress,
  describeLeftovers,
  isClean,
  mountsUnder,
  processesUnder,
  removeLeftovers,
  type Leftovers,
  type NodeFootprint,
} from "./host-cleanup.js";
import { startKubelet } from "./kubelet.js";
import { nodeadmKubeletLaunch, type KubeletLaunch } from "./nodeadm-kubelet.js";
import { IMAGES } from "./oci-image.js";
import { parseUserData } from "./user-data.js";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The tag (on the EC2NodeClass, copied to its instances) that makes an instance boot a real node. */
export const REAL_NODE_TAG = { key: "e2e.rafter.test/boot", value: "real-node" } as const;
export const UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized";
/**
 * The kubelet's device manager ignores --root-dir (k8s.io/kubelet's pluginapi.KubeletSocket): every
 * kubelet on this machine registers device plugins here, and each wipes the folder when it starts — so
 * device plugins work with one real node at a time. Removed when the last real node stops.
 */
export const HOST_DEVICE_PLUGIN_DIR = "/var/lib/kubelet/device-plugins";
/**
 * Folders outside the node's own that its components create and leave empty: the kubelet's (above),
 * libcni's result cache (containerd 1.6 does not expose its location) and containerd's shim sockets.
 * Removed, deepest first, when the last real node stops and they are empty.
 */
const HOST_SHARED_DIRS = [
  "/var/lib/kubelet",
  "/var/lib/cni/results",
  "/var/lib/cni",
  "/run/containerd/s",
  "/run/containerd",
];

export interface RealNodeTools {
  readonly kubelet: string;
  readonly criReset: string;
  readonly devicePlugin: string;
}

export interface RealNodesDeps {
  readonly supervisor: Supervisor;
  readonly pki: Pki;
  readonly kubectl: Kubectl;
  readonly apiServerUrl: string;
  readonly ec2Endpoint: string;
  readonly region: string;
  readonly clusterName: string;
  readonly tools: RealNodeTools;
  /** The CNI plugin folder, or why the node runtime is missing (then watch() refuses). */
  readonly runtime: { readonly cniBinDir: string } | { readonly missing: string };
  /** The OCI archives of the pause and app images. */
  readonly images: readonly string[];
  readonly kubeletVersion: string;
  readonly logFile: (component: string) => string;
  readonly log: (line: string) => void;
}

export interface RealNode {
  readonly instanceId: string;
  readonly nodeName: string;
  readonly privateIp: string;
  readonly launch: KubeletLaunch;
  readonly footprint: NodeFootprint;
  readonly kubeletRootDir: string;
  /** When the kubelet process was started (epoch ms). */
  readonly kubeletStartedAt: number;
  readonly kubelet: ManagedProcess;
  readonly containerd: StartedContainerd;
  /** Node daemons the test started (the device plugin), stopped before the kubelet. */
  readonly daemons: ManagedProcess[];
  cloudInitialized: boolean;
}

export interface WatchOptions {
  /** At most this many live real nodes; further instances wait (default 3: the machine has 2 cores). */
  readonly maxNodes?: number;
  readonly intervalMs?: number;
}

/** Pods the VPC CNI can address on the type (nodeadm's calculateStandardMaxPods). */
export function eniMaxPods(info: InstanceTypeInfo | undefined): number {
  const network = info?.NetworkInfo;
  const card = network?.NetworkCards?.find(
    (c) => c.NetworkCardIndex === (network.DefaultNetworkCardIndex ?? 0),
  );
  const enis = card?.MaximumNetworkInterfaces ?? network?.MaximumNetworkInterfaces ?? 0;
  const perEni = network?.Ipv4AddressesPerInterface ?? 0;
  return enis > 0 && perEni > 0 ? enis * (perEni - 1) + 2 : 110;
}

export class RealNodes {
  private readonly nodes = new Map<string, RealNode>();
  private readonly refused = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private nextIndex = 1;
  private readonly ec2: EC2Client;

  constructor(private readonly deps: RealNodesDeps) {
    this.ec2 = new EC2Client({
      endpoint: deps.ec2Endpoint,
      region: deps.region,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
  }

  /** Nodes booted and still running. */
  list(): RealNode[] {
    return [...this.nodes.values()];
  }

  byInstance(instanceId: string): RealNode | undefined {
    return this.nodes.get(instanceId);
  }

  /** Instances that were not booted, with the reason (bad user data, too many nodes). */
  refusals(): ReadonlyMap<string, string> {
    return this.refused;
  }

  /** Starts booting the chosen instances moto reports; returns a function that stops watching. */
  watch(options: WatchOptions = {}): () => Promise<void> {
    if ("missing" in this.deps.runtime)
      throw new Error(`real nodes unavailable: ${this.deps.runtime.missing}`);
    if (this.timer !== undefined) throw new Error("already watching");
    const intervalMs = options.intervalMs ?? 500;
    const maxNodes = options.maxNodes ?? 3;
    const tick = (): void => {
      this.ticking = this.reconcile(maxNodes)
        .catch((error: unknown) => {
          this.deps.log(`real nodes: ${error instanceof Error ? error.message : String(error)}`);
        })
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
    return () => this.stopWatching();
  }

  private async stopWatching(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  private async reconcile(maxNodes: number): Promise<void> {
    const out = await this.ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: "tag:rafter.dev/cluster", Values: [this.deps.clusterName] },
          { Name: `tag:${REAL_NODE_TAG.key}`, Values: [REAL_NODE_TAG.value] },
          { Name: "instance-state-name", Values: ["running"] },
        ],
      }),
    );
    const running = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    const runningIds = new Set(running.map((i) => i.InstanceId));
    for (const id of this.nodes.keys())
      if (!runningIds.has(id)) {
        this.deps.log(`real nodes: instance ${id} is no longer running; stopping its node`);
        await this.stopNode(id);
      }
    for (const instance of running) {
      const id = instance.InstanceId ?? "";
      if (this.nodes.has(id) || this.refused.has(id)) continue;
      if (this.nodes.size >= maxNodes) {
        this.refused.set(id, `more than ${maxNodes} real nodes at once`);
        this.deps.log(`real nodes: not booting ${id}: ${maxNodes} real nodes are running`);
        continue;
      }
      try {
        await this.boot(instance);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.refused.set(id, reason);
        this.deps.log(`real nodes: ${id} did not boot: ${reason}`);
      }
    }
    for (const node of this.nodes.values()) await this.initializeCloudNode(node);
  }

  /** EKS's cloud controller manager's part: clear the taint a kubelet with an external cloud provider registers with. */
  private async initializeCloudNode(node: RealNode): Promise<void> {
    if (node.cloudInitialized) return;
    const found = await this.deps.kubectl.find<{
      spec?: { taints?: { key: string }[] };
      status?: { nodeInfo?: { kubeletVersion?: string } };
    }>("node", node.nodeName);
    if (!found?.status?.nodeInfo?.kubeletVersion) return; // the kubelet has not reported yet
    if (found.spec?.taints?.some((t) => t.key === UNINITIALIZED_TAINT))
      await this.deps.kubectl.run(["taint", "node", node.nodeName, `${UNINITIALIZED_TAINT}-`], {
        allowFailure: true,
      });
    node.cloudInitialized = true;
  }

  private async userData(instanceId: string): Promise<string> {
    const out = await this.ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: "userData" }),
    );
    const encoded = out.UserData?.Value;
    if (encoded === undefined || encoded === "") throw new Error("the instance has no user data");
    return Buffer.from(encoded, "base64").toString("utf8");
  }

  private async boot(instance: Instance): Promise<void> {
    const instanceId = instance.InstanceId ?? "";
    const nodeName = instance.PrivateDnsName ?? "";
    const privateIp = instance.PrivateIpAddress ?? "";
    const zone = instance.Placement?.AvailabilityZone ?? "";
    if (nodeName === "" || privateIp === "") throw new Error("no private DNS name or IP yet");
    const parsed = parseUserData(await this.userData(instanceId));
    if (!parsed.ok) throw new Error(parsed.reason);
    const types = await this.ec2.send(
      new DescribeInstanceTypesCommand({
        InstanceTypes: instance.InstanceType ? [instance.InstanceType] : [],
      }),
    );
    const launch = nodeadmKubeletLaunch(parsed.nodeConfig, {
      instanceId,
      zone,
      privateDnsName: nodeName,
      privateIp,
      eniMaxPods: eniMaxPods(types.InstanceTypes?.[0]),
      hostCpuMillis: cpus().length * 1000,
      kubeletVersion: this.deps.kubeletVersion,
    });
    const index = this.nextIndex++;
    // short: unix socket paths (containerd, device plugins) must stay under 108 bytes
    const dir = mkdtempSync("/tmp/rafter-node-");
    const footprint: NodeFootprint = { dir, bridge: `rnbr${index}`, address: privateIp };
    const startedAt = Date.now();
    let containerd: StartedContainerd | undefined;
    try {
      await addAddress(privateIp);
      const credentials = await this.deps.pki.client(`node-${instanceId}`, `system:node:${nodeName}`, [
        "system:nodes",
      ]);
      containerd = await startContainerd(this.deps.supervisor, {
        name: `containerd-${instanceId}`,
        dir: join(dir, "containerd"),
        logFile: this.deps.logFile(`containerd-${instanceId}`),
        network: { bridge: footprint.bridge, subnet: `10.88.${index}.0/24` },
        sandboxImage: IMAGES.pause.reference,
        cniBinDir: "cniBinDir" in this.deps.runtime ? this.deps.runtime.cniBinDir : "",
      });
      for (const image of this.deps.images) await containerd.importImage(image);
      const kubelet = await startKubelet(this.deps.supervisor, {
        name: `kubelet-${instanceId}`,
        binary: this.deps.tools.kubelet,
        dir,
        logFile: this.deps.logFile(`kubelet-${instanceId}`),
        launch,
        runtimeEndpoint: `unix://${containerd.paths.socket}`,
        api: { server: this.deps.apiServerUrl, caFile: this.deps.pki.ca.cert, credentials },
      });
      this.nodes.set(instanceId, {
        instanceId,
        nodeName,
        privateIp,
        launch,
        footprint,
        kubeletRootDir: join(dir, "kubelet"),
        kubeletStartedAt: kubelet.startedAt,
        kubelet: kubelet.process,
        containerd,
        daemons: [],
        cloudInitialized: false,
      });
      this.deps.log(
        `real nodes: ${instanceId} booted as ${nodeName} (containerd + kubelet up in ${((Date.now() - startedAt) / 1000).toFixed(1)}s)`,
      );
    } catch (error) {
      await this.teardown(footprint, containerd);
      throw error;
    }
  }

  /**
   * Stops one node as a machine going away would, and checks it left nothing behind: the kubelet
   * first, then every pod sandbox through the CRI (containers, CNI DEL, shm and netns unmounts),
   * containerd, then whatever remains (processes, mounts, the bridge, the address). Throws when
   * something survived.
   */
  async stopNode(instanceId: string): Promise<Leftovers> {
    const node = this.nodes.get(instanceId);
    if (node === undefined) throw new Error(`no real node for ${instanceId}`);
    this.nodes.delete(instanceId);
    this.refused.set(instanceId, "its node was stopped"); // a stopped machine does not boot again
    for (const daemon of node.daemons) await daemon.stop(5_000);
    await node.kubelet.stop(5_000);
    const left = await this.teardown(node.footprint, node.containerd);
    if (this.nodes.size === 0) {
      rmSync(HOST_DEVICE_PLUGIN_DIR, { recursive: true, force: true });
      // rmdir: only empty folders go, so nothing of the machine's own is touched
      for (const shared of HOST_SHARED_DIRS)
        try {
          rmdirSync(shared);
        } catch {
          // not empty, or gone
        }
    }
    return left;
  }

  private async teardown(
    footprint: NodeFootprint,
    containerd: StartedContainerd | undefined,
  ): Promise<Leftovers> {
    if (containerd?.process.running) {
      await run(this.deps.tools.criReset, [`--endpoint=unix://${containerd.paths.socket}`], {
        timeout: 60_000,
      }).catch((error: unknown) => {
        this.deps.log(`real nodes: cri-reset: ${error instanceof Error ? error.message : String(error)}`);
      });
      await containerd.process.stop(5_000);
    }
    // a machine switching off takes its mounts with it; here the kubelet's volume mounts (and anything
    // the CRI did not clean) are unmounted by hand — reported, so a change in what is left shows
    const orderly = {
      processes: processesUnder(footprint.dir).length,
      mounts: mountsUnder(footprint.dir).length,
    };
    const left = await removeLeftovers(footprint);
    this.deps.log(
      `real nodes: ${footprint.dir} torn down (after the CRI reset: ${orderly.processes} processes, ${orderly.mounts} mounts removed by hand)`,
    );
    if (!isClean(left)) throw new Error(`real node ${footprint.dir} left ${describeLeftovers(left)}`);
    rmSync(footprint.dir, { recursive: true, force: true });
    return left;
  }

  /**
   * Starts the test device plugin on a node: it registers with the kubelet and advertises `count`
   * devices of `resource` — as a GPU node's device plugin DaemonSet would once it runs.
   */
  startDevicePlugin(instanceId: string, resource: string, count: number): ManagedProcess {
    const node = this.nodes.get(instanceId);
    if (node === undefined) throw new Error(`no real node for ${instanceId}`);
    const daemon = this.deps.supervisor.start({
      name: `device-plugin-${instanceId}`,
      command: this.deps.tools.devicePlugin,
      args: [`--plugin-dir=${HOST_DEVICE_PLUGIN_DIR}`, `--resource=${resource}`, `--count=${count}`],
      logFile: this.deps.logFile(`device-plugin-${instanceId}`),
    });
    node.daemons.push(daemon);
    return daemon;
  }

  /** Stops every node (the cluster's teardown). */
  async stopAll(): Promise<void> {
    await this.stopWatching();
    const failures: string[] = [];
    for (const id of [...this.nodes.keys()]) {
      try {
        await this.stopNode(id);
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    this.ec2.destroy();
    if (failures.length > 0) throw new Error(failures.join("; "));
  }
}
