// The files a `-f` flag names, as `rafter plan`, `migrate` and `userdata` read them: a file as it is,
// a directory as every .yaml/.yml/.json file below it, in name order. A path that is not there is a
// UsageError (exit 2, one line).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../usage-error.js";

export function inputFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new UsageError(`cannot read ${path}: no such file or directory`);
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) return inputFiles(full);
      return /\.(ya?ml|json)$/.test(entry) ? [full] : [];
    });
}
