// rafter itself, run from source (`node --import tsx src/cli/main.ts run`) or as the image runs it
// (image-command.ts), under its own RBAC-limited kubeconfig, against moto as EC2, with its extender
// on HTTPS (a certificate from the cluster CA).
// It can be started, stopped, killed and restarted independently of the rest of the cluster; ports and
// certificates stay the same across restarts so kube-scheduler's configuration stays valid.
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { imageCommand } from "./image-command.js";
import type { Layout } from "./layout.js";
import { httpGet, waitFor } from "./net.js";
import type { CertPair } from "./pki.js";
import type { ExitInfo, ManagedProcess, Supervisor } from "./process.js";

export interface RafterSettings {
  readonly repoRoot: string;
  readonly layout: Layout;
  readonly kubeconfig: string;
  readonly ec2Endpoint: string;
  readonly clusterName: string;
  readonly region: string;
  readonly extenderPort: number;
  readonly metricsPort: number;
  readonly tls: CertPair;
  readonly caFile: string;
  readonly readyTimeoutMs?: number;
  /** Process and log file name (default "rafter"); replicas get their own. */
  readonly name?: string;
}

/** "source": node --import tsx src/cli/main.ts; "image": what the Dockerfile runs (needs dist/). */
export type RafterBuild = "source" | "image";

export class Rafter {
  private current: ManagedProcess | undefined;
  private starts = 0;
  /** RAFTER_E2E_BUILT=1 (after `npm run build`) runs every start the image's way. */
  build: RafterBuild = globalThis.process.env.RAFTER_E2E_BUILT === "1" ? "image" : "source";

  constructor(
    private readonly supervisor: Supervisor,
    readonly settings: RafterSettings,
  ) {}

  get extenderUrl(): string {
    return `https://127.0.0.1:${this.settings.extenderPort}`;
  }

  get metricsUrl(): string {
    return `http://127.0.0.1:${this.settings.metricsPort}`;
  }

  get name(): string {
    return this.settings.name ?? "rafter";
  }

  get logFile(): string {
    return this.settings.layout.log(this.name);
  }

  /**
   * Another rafter process against the same cluster, with its own name, ports and log (e.g. a second
   * replica for leader election). Same certificate, so either can serve kube-scheduler.
   */
  replica(name: string, ports: { extenderPort: number; metricsPort: number }): Rafter {
    return new Rafter(this.supervisor, { ...this.settings, ...ports, name });
  }

  get running(): boolean {
    return this.current?.running === true;
  }

  get pid(): number | undefined {
    return this.current?.running === true ? this.current.pid : undefined;
  }

  /** The arguments of `rafter run` (extra ones are appended and win over the defaults). */
  args(extra: readonly string[] = []): string[] {
    const s = this.settings;
    const image = this.build === "image" ? imageCommand(s.repoRoot) : undefined;
    const entry = image
      ? [...image.nodeFlags, join(s.repoRoot, image.script)]
      : ["--import", "tsx", join(s.repoRoot, "src", "cli", "main.ts")];
    return [
      ...entry,
      "run",
      `--kubeconfig=${s.kubeconfig}`,
      "--cloud=aws",
      `--ec2-endpoint=${s.ec2Endpoint}`,
      `--region=${s.region}`,
      `--cluster-name=${s.clusterName}`,
      "--extender-bind=127.0.0.1",
      `--extender-port=${s.extenderPort}`,
      `--tls-cert-file=${s.tls.cert}`,
      `--tls-key-file=${s.tls.key}`,
      `--metrics-port=${s.metricsPort}`,
      "--leader-elect=false",
      "--log-format=json",
      "--log-level=debug",
      // extra flags for every start, e.g. RAFTER_E2E_RAFTER_ARGS="--cloud=simulated" while debugging
      ...(globalThis.process.env.RAFTER_E2E_RAFTER_ARGS ?? "").split(" ").filter((a) => a !== ""),
      ...extra,
    ];
  }

  /**
   * Starts rafter and waits until its metrics endpoint and its HTTPS extender answer. `env` adds
   * environment variables for this start only (e.g. RAFTER_FAILPOINT).
   */
  async start(extraArgs: readonly string[] = [], env: Readonly<Record<string, string>> = {}): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.starts += 1;
    appendFileSync(
      this.logFile,
      `\n==== ${this.name} start #${this.starts} at ${new Date().toISOString()} ====\n`,
    );
    const process = this.supervisor.start({
      name: this.name,
      command: globalThis.process.execPath,
      args: this.args(extraArgs),
      cwd: this.settings.repoRoot,
      env: {
        ...globalThis.process.env,
        AWS_ACCESS_KEY_ID: "testing",
        AWS_SECRET_ACCESS_KEY: "testing",
        AWS_REGION: this.settings.region,
        NODE_ENV: "test",
        ...env,
      },
      logFile: this.logFile,
    });
    this.current = process;
    const ca = readFileSync(this.settings.caFile);
    await waitFor(
      "rafter metrics and extender",
      async () => {
        const metrics = await httpGet(`${this.metricsUrl}/metrics`, { timeoutMs: 2_000 });
        if (metrics.status !== 200) throw new Error(`GET /metrics: HTTP ${metrics.status}`);
        // any HTTP answer over TLS verified against the cluster CA proves the extender listens
        await httpGet(`${this.extenderUrl}/healthz`, { ca, timeoutMs: 2_000 });
        return true;
      },
      { timeoutMs: this.settings.readyTimeoutMs ?? 60_000, process, intervalMs: 300 },
    );
  }

  /** SIGTERM, then SIGKILL after the grace period. */
  async stop(graceMs = 15_000): Promise<ExitInfo | undefined> {
    const process = this.current;
    if (process === undefined) return undefined;
    return process.stop(graceMs);
  }

  /** Sends a signal (SIGKILL by default: a crash) and waits for the process to exit. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<ExitInfo | undefined> {
    const process = this.current;
    if (process?.running !== true) return process?.exit;
    process.signal(signal);
    return process.exited;
  }

  async restart(
    extraArgs: readonly string[] = [],
    env: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    await this.stop();
    await this.start(extraArgs, env);
  }

  /** The Prometheus text of GET /metrics. */
  async metrics(): Promise<string> {
    const result = await httpGet(`${this.metricsUrl}/metrics`);
    if (result.status !== 200) throw new Error(`rafter /metrics: HTTP ${result.status}`);
    return result.body;
  }

  /** Why the last start ended, for messages. */
  describe(): string {
    return this.current?.describeExit() ?? "rafter was never started";
  }

  logTail(lines = 40): string {
    return this.current?.logTail(lines) ?? "";
  }
}
