// One containerd per real node, with a configuration of its own (root, state, sockets, runc state and
// the CNI configuration all inside the node's folder), so nodes never see each other's pods — a
// kubelet kills every sandbox its runtime holds that it does not know. Two settings this machine
// needs: restrict_oom_score_adj (a sandbox may not lower its oom_score_adj here; without it runc fails
// with "can't get final child's PID from pipe") and runc (crun refuses the hybrid cgroup layout).
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { stringify } from "smol-toml";
import { waitFor } from "../cluster/net.js";
import type { ManagedProcess, Supervisor } from "../cluster/process.js";

const run = promisify(execFile);

export interface ContainerdPaths {
  readonly dir: string;
  readonly socket: string;
  readonly cniConfDir: string;
}

export interface NodeNetwork {
  /** Bridge name, unique per node (deleted at teardown). */
  readonly bridge: string;
  /** Pod subnet of this node, e.g. 10.88.3.0/24. */
  readonly subnet: string;
}

export function containerdPaths(dir: string): ContainerdPaths {
  return { dir, socket: join(dir, "containerd.sock"), cniConfDir: join(dir, "cni") };
}

/** containerd's config (version 2 schema, containerd 1.6). */
export function containerdConfig(paths: ContainerdPaths, sandboxImage: string, cniBinDir: string): string {
  const cri = "io.containerd.grpc.v1.cri";
  return stringify({
    version: 2,
    root: join(paths.dir, "root"),
    state: join(paths.dir, "state"),
    grpc: { address: paths.socket },
    ttrpc: { address: `${paths.socket}.ttrpc` },
    disabled_plugins: [
      "io.containerd.snapshotter.v1.aufs",
      "io.containerd.snapshotter.v1.btrfs",
      "io.containerd.snapshotter.v1.devmapper",
      "io.containerd.snapshotter.v1.zfs",
    ],
    plugins: {
      "io.containerd.internal.v1.opt": { path: join(paths.dir, "opt") },
      [cri]: {
        sandbox_image: sandboxImage,
        restrict_oom_score_adj: true,
        // network namespaces under the state folder, not /var/run/netns: everything stays in the node's folder
        netns_mounts_under_state_dir: true,
        containerd: {
          snapshotter: "overlayfs",
          default_runtime_name: "runc",
          runtimes: {
            runc: {
              runtime_type: "io.containerd.runc.v2",
              options: { SystemdCgroup: false, Root: join(paths.dir, "runc") },
            },
          },
        },
        cni: { bin_dir: cniBinDir, conf_dir: paths.cniConfDir, max_conf_num: 1 },
      },
    },
  });
}

/** bridge + host-local IPAM (its leases in the node's folder); no masquerading, so no iptables rules. */
export function cniConflist(paths: ContainerdPaths, network: NodeNetwork): string {
  return JSON.stringify(
    {
      cniVersion: "0.4.0",
      name: `rafter-e2e-${network.bridge}`,
      plugins: [
        {
          type: "bridge",
          bridge: network.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: network.subnet }]],
            dataDir: join(paths.dir, "ipam"),
          },
        },
      ],
    },
    null,
    2,
  );
}

export interface StartedContainerd {
  readonly process: ManagedProcess;
  readonly paths: ContainerdPaths;
  /** `ctr -n k8s.io images import <archive>` against this containerd. */
  importImage(archive: string): Promise<void>;
}

export async function startContainerd(
  supervisor: Supervisor,
  options: {
    readonly name: string;
    readonly dir: string;
    readonly logFile: string;
    readonly network: NodeNetwork;
    readonly sandboxImage: string;
    readonly cniBinDir: string;
  },
): Promise<StartedContainerd> {
  const paths = containerdPaths(options.dir);
  mkdirSync(paths.cniConfDir, { recursive: true });
  const config = join(options.dir, "config.toml");
  writeFileSync(config, containerdConfig(paths, options.sandboxImage, options.cniBinDir));
  writeFileSync(join(paths.cniConfDir, "10-bridge.conflist"), cniConflist(paths, options.network));
  const process = supervisor.start({
    name: options.name,
    command: "containerd",
    args: ["--config", config],
    logFile: options.logFile,
  });
  const ctr = (...args: string[]) => run("ctr", ["--address", paths.socket, ...args]);
  await waitFor(`${options.name} to answer`, async () => (await ctr("version")).stdout.includes("Server"), {
    timeoutMs: 30_000,
    intervalMs: 200,
    process,
  });
  return {
    process,
    paths,
    importImage: async (archive) => {
      await ctr("-n", "k8s.io", "images", "import", archive);
    },
  };
}
