// `npm run test:e2e [filter…]`: ensures the toolchain (building it on a cold cache), brings the local
// cluster up once, runs e2e/scenarios/*.e2e.ts one scenario at a time, tears the cluster down and ends
// with the line "N passed, N failed". Exit status 1 when anything failed. A filter keeps only the
// scenario files or names that contain it.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startCluster, type Cluster } from "./cluster/cluster.js";
import { tail } from "./cluster/process.js";
import { ensureToolchain } from "./cluster/toolchain.js";
import { runScenario, type ScenarioResult } from "./harness/runner.js";
import { takeRegistered, type Scenario } from "./harness/scenario.js";
import { newRunDir, repoRoot } from "./paths.js";

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function loadScenarios(filters: readonly string[]): Promise<{ file: string; scenario: Scenario }[]> {
  const dir = join(repoRoot, "e2e", "scenarios");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".e2e.ts"))
    .sort();
  const found: { file: string; scenario: Scenario }[] = [];
  for (const file of files) {
    await import(pathToFileURL(join(dir, file)).href);
    for (const scenario of takeRegistered()) {
      const keep = filters.length === 0 || filters.some((f) => file.includes(f) || scenario.name.includes(f));
      if (keep) found.push({ file, scenario });
    }
  }
  return found;
}

function printLogTails(logs: string, lines = 25): void {
  let files: string[];
  try {
    files = readdirSync(logs).sort();
  } catch {
    return;
  }
  for (const file of files) {
    out(`----- last ${lines} lines of ${file} -----`);
    out(tail(join(logs, file), lines));
  }
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const scenarios = await loadScenarios(filters);
  out(`e2e: ${scenarios.length} scenario(s)`);
  const results: ScenarioResult[] = [];
  let cluster: Cluster | undefined;
  const dir = newRunDir("run");
  let setupError: string | undefined;
  try {
    const started = Date.now();
    const toolchain = await ensureToolchain(repoRoot);
    out(`e2e: toolchain ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    cluster = await startCluster({
      repoRoot,
      toolchain,
      dir,
      log: (line) => {
        out(`  cluster: ${line}`);
      },
    });
    out(`e2e: cluster up in ${cluster.timings.total?.toFixed(1) ?? "?"}s (kubeconfig ${cluster.kubeconfig})`);
    for (const { file, scenario } of scenarios) {
      const result = await runScenario({ cluster, repoRoot, out }, file, scenario);
      results.push(result);
      out(`${result.passed ? "✔" : "✖"} ${file} › ${result.name} (${result.seconds.toFixed(1)}s)`);
      if (result.error !== undefined) out(result.error.replace(/^/gm, "    "));
    }
  } catch (error) {
    setupError = error instanceof Error ? (error.stack ?? error.message) : String(error);
    out(`✖ e2e setup failed: ${setupError}`);
  } finally {
    if (cluster !== undefined) {
      const stopping = Date.now();
      await cluster.stop();
      out(`e2e: cluster stopped in ${((Date.now() - stopping) / 1000).toFixed(1)}s`);
    }
  }
  const passed = results.filter((r) => r.passed).length;
  const notRun = setupError !== undefined ? Math.max(1, scenarios.length - results.length) : 0;
  const failed = results.length - passed + notRun;
  if (failed > 0 || setupError !== undefined) {
    // CI keeps only stdout: show the end of every component's log there
    if (process.env.CI === "true") printLogTails(join(dir, "logs"));
    out(`e2e: component logs in ${join(dir, "logs")}`);
    // CI shows only the end of the output: name what failed once more, below the log tails
    for (const failure of results.filter((r) => !r.passed)) {
      out(`✖ ${failure.file} › ${failure.name}`);
      if (failure.error !== undefined)
        out(failure.error.split("\n").slice(0, 6).join("\n").replace(/^/gm, "    "));
      if (failure.diagnosis !== undefined) out(failure.diagnosis.join("\n").replace(/^/gm, "    "));
    }
    if (setupError !== undefined) out(`✖ e2e setup failed: ${setupError.split("\n")[0] ?? ""}`);
  }
  out(`${passed} passed, ${failed} failed`);
  return failed > 0 || setupError !== undefined ? 1 : 0;
}

process.exitCode = await main();
