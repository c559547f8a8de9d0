// The version baked into the package, read once from package.json.
import { readFileSync } from "node:fs";

const packageJson = JSON.parse(readFileSync(new URL(findPackageJson(), import.meta.url), "utf8")) as {
  version: string;
};

function findPackageJson(): string {
  // src/version.ts under tsx, dist/src/version.js once built: package.json is two or three levels up.
  return import.meta.url.includes("/dist/") ? "../../package.json" : "../package.json";
}

export const rafterVersion: string = packageJson.version;
