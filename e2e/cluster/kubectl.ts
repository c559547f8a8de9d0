// kubectl (the toolchain's, same version as the cluster) bound to one kubeconfig and optionally a
// namespace. Scenarios read results the way an operator would: `kubectl get -o json`, apply from YAML.
import { spawn } from "node:child_process";
import { stringify } from "yaml";

export interface KubectlResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export interface RunOptions {
  readonly input?: string;
  /** Resolve with the result instead of throwing on a non-zero exit. */
  readonly allowFailure?: boolean;
  readonly timeoutMs?: number;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export class KubectlError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly result: KubectlResult,
  ) {
    super(`kubectl ${args.join(" ")} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
  }
}

export class Kubectl {
  constructor(
    readonly binary: string,
    readonly kubeconfig: string,
    readonly namespace?: string,
  ) {}

  /** The same kubectl in another namespace. */
  in(namespace: string): Kubectl {
    return new Kubectl(this.binary, this.kubeconfig, namespace);
  }

  /** The command line a person would type (for messages and the demo). */
  commandLine(args: readonly string[] = []): string {
    return [this.binary, `--kubeconfig=${this.kubeconfig}`, ...args].join(" ");
  }

  async run(args: readonly string[], options: RunOptions = {}): Promise<KubectlResult> {
    const full = [
      `--kubeconfig=${this.kubeconfig}`,
      ...(this.namespace !== undefined ? [`--namespace=${this.namespace}`] : []),
      ...args,
    ];
    const result = await new Promise<KubectlResult>((resolve, reject) => {
      const child = spawn(this.binary, full, { stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
      }, options.timeoutMs ?? 60_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ stdout, stderr, code: code ?? 1 });
      });
      // kubectl may exit without reading its input (a failed flag, `get`): the EPIPE that follows is
      // not an error of ours, and unhandled it would kill the harness (seen with e2e/up.ts)
      child.stdin.on("error", () => undefined);
      child.stdin.end(options.input ?? "");
    });
    if (result.code !== 0 && options.allowFailure !== true) throw new KubectlError(args, result);
    return result;
  }

  /** Applies YAML text, or objects serialised as a multi-document YAML stream. */
  async apply(
    manifest: string | KubeObject | readonly KubeObject[],
    extra: readonly string[] = [],
  ): Promise<string> {
    const input =
      typeof manifest === "string"
        ? manifest
        : (Array.isArray(manifest) ? manifest : [manifest]).map((o) => stringify(o)).join("---\n");
    return (await this.run(["apply", "-f", "-", ...extra], { input })).stdout;
  }

  async applyFile(path: string, extra: readonly string[] = []): Promise<string> {
    return (await this.run(["apply", "-f", path, ...extra])).stdout;
  }

  /** `kubectl get <resource> [name] -o json`, parsed. */
  async getJson<T = KubeObject>(resource: string, name?: string, extra: readonly string[] = []): Promise<T> {
    const args = ["get", resource, ...(name !== undefined ? [name] : []), "-o", "json", ...extra];
    return JSON.parse((await this.run(args)).stdout) as T;
  }

  /** The items of a list (`kubectl get <resource> -o json`), optionally with a label selector. */
  async list<T = KubeObject>(resource: string, selector?: string): Promise<T[]> {
    const list = await this.getJson<{ items: T[] }>(
      resource,
      undefined,
      selector !== undefined ? ["-l", selector] : [],
    );
    return list.items;
  }

  /** The object, or undefined when it does not exist. */
  async find<T = KubeObject>(resource: string, name: string): Promise<T | undefined> {
    const result = await this.run(["get", resource, name, "-o", "json", "--ignore-not-found"]);
    return result.stdout.trim() === "" ? undefined : (JSON.parse(result.stdout) as T);
  }

  async delete(resource: string, name: string, extra: readonly string[] = []): Promise<void> {
    await this.run(["delete", resource, name, "--ignore-not-found", ...extra]);
  }
}
