// Locates (building when missing) the e2e binaries: e2e/toolchain.sh prints the Kubernetes/kwok
// toolchain root, scripts/install-moto.sh prints moto's venv bin dir. Both keep their results in a
// per-user cache, so only the first run on a machine pays for the build.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export interface Toolchain {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kubectl: string;
  readonly kwok: string;
  /** kwok's default node stages (node-initialize.yaml, node-heartbeat.yaml) from its module. */
  readonly kwokStages: string;
  readonly motoServer: string;
  /** The real-node tier: the kubelet, the CRI reset tool and the test device plugin (e2e/k8s/cmd). */
  readonly kubelet: string;
  readonly criReset: string;
  readonly testDevicePlugin: string;
  /** containerd, runc and the CNI plugins (scripts/install-node-runtime.sh), or why they are missing. */
  readonly nodeRuntime: { readonly cniBinDir: string } | { readonly missing: string };
}

/** Runs a script, streaming its stderr to ours, and returns the last line of its stdout. */
async function lastLineOf(script: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [script], { cwd, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const last = out.trim().split("\n").pop()?.trim() ?? "";
      if (code === 0 && last !== "") resolve(last);
      else reject(new Error(`${script} failed (exit ${String(code)})`));
    });
  });
}

export function toolchainFrom(
  root: string,
  motoBin: string,
  nodeRuntime: Toolchain["nodeRuntime"] = { missing: "scripts/install-node-runtime.sh was not run" },
): Toolchain {
  const bin = join(root, "bin");
  const tools: Omit<Toolchain, "nodeRuntime"> = {
    etcd: join(bin, "etcd"),
    kubeApiserver: join(bin, "kube-apiserver"),
    kubeControllerManager: join(bin, "kube-controller-manager"),
    kubeScheduler: join(bin, "kube-scheduler"),
    kubectl: join(bin, "kubectl"),
    kwok: join(bin, "kwok"),
    kwokStages: join(root, "kwok-stages"),
    motoServer: join(motoBin, "moto_server"),
    kubelet: join(bin, "kubelet"),
    criReset: join(bin, "cri-reset"),
    testDevicePlugin: join(bin, "test-device-plugin"),
  };
  for (const [name, path] of Object.entries<string>(tools)) {
    if (!existsSync(path)) throw new Error(`e2e toolchain: ${name} missing at ${path}`);
  }
  return { ...tools, nodeRuntime };
}

/** Ensures the toolchain exists (building it on a cold cache) and returns its binaries. */
export async function ensureToolchain(repoRoot: string): Promise<Toolchain> {
  const root = await lastLineOf(join(repoRoot, "e2e", "toolchain.sh"), repoRoot);
  const motoBin = await lastLineOf(join(repoRoot, "scripts", "install-moto.sh"), repoRoot);
  // the real-node tier's runtime needs root to install; without it only the real-node scenarios fail
  const nodeRuntime = await lastLineOf(join(repoRoot, "scripts", "install-node-runtime.sh"), repoRoot).then(
    (cniBinDir) => ({ cniBinDir }),
    (error: unknown) => ({ missing: error instanceof Error ? error.message : String(error) }),
  );
  return toolchainFrom(root, motoBin, nodeRuntime);
}
