// What a real node leaves on this machine, found and removed: processes that live in or point into
// the node's folder (containerd shims, container processes whose root is an overlay under it), mounts
// under it (kubelet volume tmpfs, sandbox shm, overlay rootfs, network namespaces), the CNI bridge
// and the node's address on lo. `leftovers` reports; `removeLeftovers` cleans and reports what it
// could not — the teardown asserts that list is empty.
import { execFile } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface NodeFootprint {
  /** The node's folder (containerd root/state, kubelet root). */
  readonly dir: string;
  readonly bridge: string;
  /** The instance's private IP, added to lo so the kubelet can serve on it. */
  readonly address: string;
}

export interface Leftovers {
  readonly processes: readonly number[];
  readonly mounts: readonly string[];
  readonly links: readonly string[];
  readonly addresses: readonly string[];
}

export function isClean(leftovers: Leftovers): boolean {
  return (
    leftovers.processes.length === 0 &&
    leftovers.mounts.length === 0 &&
    leftovers.links.length === 0 &&
    leftovers.addresses.length === 0
  );
}

export function describeLeftovers(leftovers: Leftovers): string {
  return [
    `processes [${leftovers.processes.join(", ")}]`,
    `mounts [${leftovers.mounts.join(", ")}]`,
    `links [${leftovers.links.join(", ")}]`,
    `addresses [${leftovers.addresses.join(", ")}]`,
  ].join(", ");
}

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** Processes whose command line, root or working directory is in the folder. */
export function processesUnder(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const root = readlinkSync(`/proc/${entry}/root`);
      if (cmdline.some((arg) => arg.includes(dir)) || within(root, dir)) found.push(pid);
    } catch {
      // gone already, or not ours to read
    }
  }
  return found;
}

/** Mount points under the folder, deepest first. mountinfo escapes spaces as \040. */
export function mountsUnder(dir: string, mountinfo = readFileSync("/proc/self/mountinfo", "utf8")): string[] {
  return mountinfo
    .split("\n")
    .map((line) => line.split(" ")[4]?.replace(/\\040/g, " "))
    .filter((point): point is string => point !== undefined && within(point, dir))
    .sort((a, b) => b.length - a.length);
}

async function linkExists(name: string): Promise<boolean> {
  try {
    await run("ip", ["link", "show", "dev", name]);
    return true;
  } catch {
    return false;
  }
}

async function addressOnLo(address: string): Promise<boolean> {
  const { stdout } = await run("ip", ["-4", "-o", "addr", "show", "dev", "lo"]);
  return stdout.includes(` ${address}/`);
}

export async function leftovers(node: NodeFootprint): Promise<Leftovers> {
  return {
    processes: processesUnder(node.dir),
    mounts: mountsUnder(node.dir),
    links: (await linkExists(node.bridge)) ? [node.bridge] : [],
    addresses: (await addressOnLo(node.address)) ? [node.address] : [],
  };
}

export async function addAddress(address: string): Promise<void> {
  if (!(await addressOnLo(address))) await run("ip", ["addr", "add", `${address}/32`, "dev", "lo"]);
}

/** Kills, unmounts and deletes whatever is still there; returns what survived. */
export async function removeLeftovers(node: NodeFootprint): Promise<Leftovers> {
  for (const pid of processesUnder(node.dir)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const point of mountsUnder(node.dir)) {
    await run("umount", [point]).catch(() => run("umount", ["-l", point]).catch(() => undefined));
  }
  if (await linkExists(node.bridge)) await run("ip", ["link", "delete", node.bridge]).catch(() => undefined);
  if (await addressOnLo(node.address))
    await run("ip", ["addr", "del", `${node.address}/32`, "dev", "lo"]).catch(() => undefined);
  return leftovers(node);
}
