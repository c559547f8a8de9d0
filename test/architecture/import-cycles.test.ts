// src/ has no import cycles, between files or between its top-level folders (type-only imports
// count: a cycle of types is still two modules that cannot be understood apart). The layering rules
// themselves are in eslint.config.js; this checks what a per-file lint rule cannot see.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const root = new URL("../../", import.meta.url).pathname;

/** Cycles being removed elsewhere, as sorted file lists; a listed cycle that is gone fails the test. */
const knownCycles: readonly (readonly string[])[] = [];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [relative(root, path)] : [];
  });
}

/** Each src/ file's relative imports and re-exports, resolved to the .ts files they name. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(join(root, "src"))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), "utf8"), true, false);
    graph.set(
      file,
      importedFiles
        .map((imported) => imported.fileName)
        .filter((name) => name.startsWith("."))
        .map((name) => relative(root, resolve(root, dirname(file), name.replace(/\.js$/, ".ts")))),
    );
  }
  return graph;
}

/** Strongly connected components with more than one member (Tarjan), each sorted. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** "src/planner/pods.ts" → "src/planner"; a file at the top of src/ is its own unit. */
const folderOf = (file: string): string => file.split("/").slice(0, 2).join("/");

describe("import cycles in src/", () => {
  const graph = importGraph();

  it("finds the imports (the scan is not broken)", () => {
    assert.ok(graph.size > 100, `only ${graph.size} files found`);
    assert.ok(graph.get("src/planner/planner.ts")?.includes("src/planner/placement.ts"));
  });

  it("has no cycle between files but the known ones, and each known one still exists", () => {
    const key = (files: readonly string[]) => files.join(" <-> ");
    const known = new Set(knownCycles.map(key));
    const found = cycles(graph).map(key);
    assert.deepEqual(
      found.filter((cycle) => !known.has(cycle)),
      [],
      "import cycle: move the shared part into a module both import",
    );
    assert.deepEqual(
      [...known].filter((cycle) => !found.includes(cycle)),
      [],
      "this cycle is gone: remove it from knownCycles",
    );
  });

  it("has no cycle between its top-level folders", () => {
    const folders = new Map<string, Set<string>>();
    for (const [file, imports] of graph) {
      const from = folderOf(file);
      const targets = folders.get(from) ?? new Set<string>();
      for (const imported of imports) if (folderOf(imported) !== from) targets.add(folderOf(imported));
      folders.set(from, targets);
    }
    const edges = new Map([...folders].map(([folder, targets]) => [folder, [...targets]]));
    assert.deepEqual(cycles(edges), [], "folders importing each other: one of them must own the shared part");
  });
});
