// How the container image runs rafter, for scenarios whose figures depend on it (memory): the
// compiled dist/ and the node flags of the Dockerfile's ENTRYPOINT, read from the Dockerfile itself
// so that the e2e cannot drift from what ships.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

export interface ImageCommand {
  /** node's own flags, e.g. --max-semi-space-size=2. */
  readonly nodeFlags: readonly string[];
  /** The script, relative to the repository (dist/src/cli/main.js). */
  readonly script: string;
}

/** The node flags and script of the Dockerfile's (last) exec-form ENTRYPOINT. */
export function imageCommand(repoRoot: string): ImageCommand {
  const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
  const entrypoints = [...dockerfile.matchAll(/^ENTRYPOINT\s+(\[.*\])\s*$/gm)];
  const last = entrypoints.at(-1)?.[1];
  if (last === undefined) throw new Error("the Dockerfile has no exec-form ENTRYPOINT");
  const [, ...rest] = JSON.parse(last) as string[];
  const scriptIndex = rest.findIndex((arg) => !arg.startsWith("-"));
  const script = rest[scriptIndex];
  if (script === undefined) throw new Error(`no script in the Dockerfile's ENTRYPOINT ${last}`);
  return { nodeFlags: rest.slice(0, scriptIndex), script };
}

let building: Promise<void> | undefined;

/** `npm run build`, once per e2e process: the image runs the compiled code, not tsx. */
export function buildDist(repoRoot: string): Promise<void> {
  building ??= promisify(execFile)("npm", ["run", "build"], { cwd: repoRoot }).then(() => undefined);
  return building;
}
