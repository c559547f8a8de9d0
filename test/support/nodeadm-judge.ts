// nodeadm's own code as a judge of user data: scripts/nodeadm-judge.sh builds (once, cached under
// ~/.cache/rafter) a binary that runs nodeadm's user-data config provider, merge and validation on
// its stdin and prints the merged NodeConfig (see test/nodeadm/judge/main.go for which functions).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("../../scripts/nodeadm-judge.sh", import.meta.url));

export interface NodeadmVerdict {
  readonly valid: boolean;
  readonly stage?: string;
  readonly error?: string;
  readonly clusterDNS?: string;
  readonly nodeConfigParts: number;
  readonly config?: {
    spec: {
      cluster: { name: string; apiServerEndpoint: string; certificateAuthority: string; cidr: string };
      kubelet: { config?: Record<string, unknown>; flags?: string[] };
    };
  };
}

/** Whether Go is installed (the judge is built from nodeadm's sources). */
export function goAvailable(): boolean {
  return spawnSync("go", ["version"]).status === 0;
}

let judgePath: string | undefined;

function judgeBinary(): string {
  if (judgePath) return judgePath;
  const built = spawnSync(script, { encoding: "utf8", timeout: 20 * 60_000 });
  if (built.status !== 0) throw new Error(`building the nodeadm judge failed: ${built.stderr}`);
  judgePath = built.stdout.trim();
  return judgePath;
}

export function judge(userData: string): NodeadmVerdict {
  const run = spawnSync(judgeBinary(), { input: userData, encoding: "utf8", timeout: 60_000 });
  if (run.stdout.trim() === "") throw new Error(`the nodeadm judge printed nothing: ${run.stderr}`);
  return JSON.parse(run.stdout) as NodeadmVerdict;
}
