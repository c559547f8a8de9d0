// Paths shared by the e2e entry points: the repository root and a fresh run folder under .tmp/e2e
// (git-ignored; RAFTER_E2E_DIR overrides the parent folder).
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export function newRunDir(kind: string): string {
  const parent = process.env.RAFTER_E2E_DIR ?? join(repoRoot, ".tmp", "e2e");
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
  const dir = join(parent, `${kind}-${stamp}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
