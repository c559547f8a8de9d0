// rafter's CLI run as a real process, the way a user runs it: the Node running the tests, tsx for the
// TypeScript sources, from the repository root (the tests' working directory).
import { spawnSync } from "node:child_process";

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** Runs `rafter <args>` to its end; `status` is null when the timeout killed it. */
export function runRafter(args: readonly string[], options: CliOptions = {}): CliRun {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    encoding: "utf8",
    ...(options.env ? { env: options.env } : {}),
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A kubeconfig whose API server nothing listens on (port 1): valid to read, refused at once to call. */
export const unreachableKubeconfig = {
  apiVersion: "v1",
  kind: "Config",
  clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1" } }],
  users: [{ name: "u", user: { token: "t" } }],
  contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
  "current-context": "x",
};
