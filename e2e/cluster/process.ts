// One child process of the local cluster: started in its own process group (so that everything it
// forks goes with it), stdout+stderr appended to its log file, stopped with SIGTERM to the group then
// SIGKILL after a grace period. A Supervisor keeps every live process so that the whole cluster can be
// stopped in reverse start order, and synchronously killed from a process 'exit' handler.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class ManagedProcess {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  private constructor(
    readonly spec: ProcessSpec,
    private readonly child: ChildProcess,
    readonly pid: number,
  ) {
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  static start(spec: ProcessSpec): ManagedProcess {
    const fd = openSync(spec.logFile, "a");
    try {
      const child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env ?? process.env,
        stdio: ["ignore", fd, fd],
        detached: true, // setsid: a process group of its own, killed as a whole
      });
      if (child.pid === undefined) throw new Error(`${spec.name}: could not start ${spec.command}`);
      child.on("error", () => undefined); // reported through 'exit' / readiness
      return new ManagedProcess(spec, child, child.pid);
    } finally {
      closeSync(fd);
    }
  }

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** How it exited, or undefined while running. */
  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** Sends a signal to the whole process group. */
  signal(signal: NodeJS.Signals): void {
    killGroup(this.pid, signal);
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 10_000): Promise<ExitInfo> {
    if (this.exitInfo === undefined) {
      this.signal("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => {
          resolve("timeout");
        }, graceMs);
      });
      const first = await Promise.race([this.exited, timedOut]);
      clearTimeout(timer);
      if (first === "timeout") this.signal("SIGKILL");
    }
    const info = await this.exited;
    killGroup(this.pid, "SIGKILL"); // anything the leader left behind in its group
    return info;
  }

  /** The last lines of its log, for error messages. */
  logTail(lines = 30): string {
    return tail(this.spec.logFile, lines);
  }

  describeExit(): string {
    const info = this.exitInfo;
    if (info === undefined) return `${this.name} is running`;
    return `${this.name} exited (${info.signal ?? `code ${String(info.code)}`})`;
  }
}

export function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already
  }
}

/** Owns every process of one cluster. */
export class Supervisor {
  private readonly processes: ManagedProcess[] = [];

  /** `onStart` hears the process group id of every process started (the reaper records them). */
  constructor(private readonly onStart: (pgid: number) => void = () => undefined) {}

  start(spec: ProcessSpec): ManagedProcess {
    const started = ManagedProcess.start(spec);
    this.processes.push(started);
    this.onStart(started.pid);
    return started;
  }

  /** Process group ids of everything started (for the reaper). */
  groups(): number[] {
    return this.processes.map((p) => p.pid);
  }

  /** Stops everything, newest first. */
  async stopAll(graceMs = 10_000): Promise<void> {
    for (const started of [...this.processes].reverse()) await started.stop(graceMs);
    this.processes.length = 0;
  }

  /** Last resort from a synchronous 'exit' handler. */
  killAllSync(): void {
    for (const started of this.processes) killGroup(started.pid, "SIGKILL");
  }
}
