// `node --import tsx e2e/down.ts [dir…]`: stops clusters left running by `npm run demo -- --keep` (or
// any run whose runner died): SIGTERM to every process group in <dir>/process-groups, SIGKILL after
// 10 s. Without arguments, every cluster folder under .tmp/e2e.
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "./cluster/net.js";
import { repoRoot } from "./paths.js";

const alive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

async function down(dir: string): Promise<void> {
  const file = join(dir, "process-groups");
  if (!existsSync(file)) return;
  const groups = readFileSync(file, "utf8")
    .split("\n")
    .map(Number)
    .filter((g) => g > 0 && alive(g));
  if (groups.length === 0) return;
  process.stdout.write(`stopping ${groups.length} process group(s) of ${dir}\n`);
  for (const g of groups.reverse()) process.kill(-g, "SIGTERM");
  for (let waited = 0; waited < 10_000 && groups.some(alive); waited += 250) await sleep(250);
  for (const g of groups.filter(alive)) process.kill(-g, "SIGKILL");
  writeFileSync(file, "");
  rmSync(join(dir, "data"), { recursive: true, force: true });
}

const parent = process.env.RAFTER_E2E_DIR ?? join(repoRoot, ".tmp", "e2e");
const dirs =
  process.argv.length > 2
    ? process.argv.slice(2)
    : existsSync(parent)
      ? readdirSync(parent).map((d) => join(parent, d))
      : [];
for (const dir of dirs) await down(dir);
