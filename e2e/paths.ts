// Paths shared by the e2e entry points: the repository root and a fresh run folder under .tmp/e2e
// (git-ignored; RAFTER_E2E_DIR overrides the parent folder). Creating one prunes old folders: only the
// newest KEEP stay, and the etcd data of clusters that are no longer running is removed.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const KEEP = 10;

/** True while any process group recorded for a cluster folder is alive (e.g. demo --keep). */
export function clusterAlive(dir: string): boolean {
  const file = join(dir, "process-groups");
  if (!existsSync(file)) return false;
  return readFileSync(file, "utf8")
    .split("\n")
    .map(Number)
    .some((pgid) => {
      if (!(pgid > 0)) return false;
      try {
        process.kill(-pgid, 0);
        return true;
      } catch {
        return false;
      }
    });
}

function prune(parent: string): void {
  const dirs = readdirSync(parent)
    .map((name) => join(parent, name))
    .filter((dir) => !clusterAlive(dir))
    .sort()
    .reverse();
  dirs.forEach((dir, index) => {
    rmSync(index < KEEP ? join(dir, "data") : dir, { recursive: true, force: true });
  });
}

export function newRunDir(kind: string): string {
  const parent = process.env.RAFTER_E2E_DIR ?? join(repoRoot, ".tmp", "e2e");
  mkdirSync(parent, { recursive: true });
  prune(parent);
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
  const dir = join(parent, `${stamp}-${kind}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
