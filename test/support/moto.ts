// Starts moto's EC2 server for a test file: installs it when missing (scripts/install-moto.sh,
// cached outside the repo), picks a free port, waits until it answers, resets state between tests
// and stops it at the end. moto runs under a small shell guard that kills it when our stdin pipe
// closes, so even a test process that dies abruptly leaves no moto_server behind.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface MotoServer {
  /** "http://127.0.0.1:<port>" */
  readonly endpoint: string;
  readonly port: number;
  /** POST /moto-api/reset: forget every resource. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

let motoBin: Promise<string> | undefined;

/** The venv bin dir holding moto_server, installing moto on first use. */
export function motoBinDir(): Promise<string> {
  motoBin ??= promisify(execFile)("bash", [`${repoRoot}scripts/install-moto.sh`], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  }).then(({ stdout }) => stdout.trim().split("\n").pop() ?? "");
  return motoBin;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

// `read` returns when the parent's end of the pipe closes (normal stop or parent death).
const guard =
  'set -u; "$1" -H 127.0.0.1 -p "$2" >/dev/null 2>&1 & pid=$!; read -r _ || true; kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; exit 0';

/** One image moto preloads, in the shape of moto's ec2/resources/amis.json entries. */
export interface MotoImage {
  ami_id: string;
  name: string;
  architecture: "x86_64" | "arm64";
  creation_date: string;
  owner_id?: string;
}

export interface StartMotoOptions {
  timeoutMs?: number;
  /**
   * Images to preload instead of moto's defaults. moto otherwise loads ~1300 us-east-1 images,
   * which makes every DescribeImages and every reset slow; tests want a few known ones.
   */
  images?: readonly MotoImage[];
}

export const motoPythonPath = fileURLToPath(new URL("moto-python", import.meta.url));

export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const bin = await motoBinDir();
  // moto-python/sitecustomize.py lets PutParameter store the EKS image parameters AWS publishes.
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: motoPythonPath };
  if (options.images) {
    const path = join(mkdtempSync(join(tmpdir(), "rafter-moto-")), "amis.json");
    const amis = options.images.map((image) => ({
      owner_id: "137112412989",
      state: "available",
      public: true,
      image_type: "machine",
      platform: "Linux/UNIX",
      root_device_name: "/dev/xvda",
      root_device_type: "ebs",
      virtualization_type: "hvm",
      hypervisor: "xen",
      description: image.name,
      image_location: `amazon/${image.name}`,
      ...image,
    }));
    writeFileSync(path, JSON.stringify(amis));
    env.MOTO_AMIS_PATH = path;
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn("bash", ["-c", guard, "moto-guard", `${bin}/moto_server`, String(port)], {
    stdio: ["pipe", "ignore", "inherit"],
    env,
    detached: true, // its own process group, so a forced stop can kill moto with the guard
  });
  const exited = once(child, "exit");
  const killGroup = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      killGroup();
      throw new Error(`moto_server did not start on ${endpoint}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  let stopped = false;
  return {
    endpoint,
    port,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!response.ok) throw new Error(`moto reset failed: ${response.status}`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      child.stdin?.end(); // the guard kills moto and exits
      const timer = setTimeout(killGroup, 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
