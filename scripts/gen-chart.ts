// Writes charts/rafter/{values.yaml,templates/,crds/} from the kustomize base (scripts/chart-source.ts).
// `--check` fails instead of writing when a committed file differs (the unit tests run it).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { chartFiles } from "./chart-source.js";

const chart = new URL("../charts/rafter/", import.meta.url).pathname;
const check = process.argv.includes("--check");
let stale = 0;
for (const file of chartFiles()) {
  const path = join(chart, file.path);
  if (check) {
    let current = "";
    try {
      current = readFileSync(path, "utf8");
    } catch {
      /* missing counts as stale */
    }
    if (current !== file.text) {
      console.error(`charts/rafter/${file.path} is stale: run npm run gen:chart`);
      stale++;
    }
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
