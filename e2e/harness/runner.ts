// Runs scenarios one after another against one cluster: fresh namespace, moto reset, rafter when
// asked for, a timeout, deferred cleanups; prints one line per scenario.
import type { Cluster } from "../cluster/cluster.js";
import { waitFor } from "../cluster/net.js";
import { clusterAtFailure } from "./diagnosis.js";
import type { Scenario, ScenarioContext } from "./scenario.js";

export interface ScenarioResult {
  readonly file: string;
  readonly name: string;
  readonly passed: boolean;
  readonly seconds: number;
  readonly error?: string;
  /** The cluster when it failed (`clusterAtFailure`), printed with the failure at the end of the run. */
  readonly diagnosis?: readonly string[];
}

export interface RunnerDeps {
  readonly cluster: Cluster;
  readonly repoRoot: string;
  readonly out: (line: string) => void;
}

const DEFAULT_TIMEOUT_MS = 180_000;

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40)
    .replace(/-$/, "");
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}

async function freshNamespace(cluster: Cluster, name: string): Promise<string> {
  const namespace = `e2e-${slug(name)}-${Math.random().toString(36).slice(2, 6)}`;
  await cluster.kubectl.run(["create", "namespace", namespace]);
  await waitFor(
    `ServiceAccount default in ${namespace}`,
    async () =>
      (
        await cluster.kubectl.run(["get", "serviceaccount", "default", "-n", namespace], {
          allowFailure: true,
        })
      ).code === 0,
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  return namespace;
}

async function withTimeout(work: Promise<void>, ms: number, controller: AbortController): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`scenario timed out after ${ms / 1000}s`));
    }, ms);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function runScenario(
  deps: RunnerDeps,
  file: string,
  scenario: Scenario,
): Promise<ScenarioResult> {
  const { cluster } = deps;
  const started = Date.now();
  const cleanups: (() => Promise<unknown>)[] = [];
  const controller = new AbortController();
  let namespace: string | undefined;
  let error: string | undefined;
  let diagnosis: readonly string[] | undefined;
  try {
    namespace = await freshNamespace(cluster, scenario.name);
    await cluster.resetMoto();
    if (scenario.options.needsRafter === true && !cluster.rafter.running) {
      if (cluster.rafter.pid === undefined && cluster.rafter.describe() !== "rafter was never started")
        deps.out(`    (${cluster.rafter.describe()} earlier; starting it again)`);
      try {
        await cluster.rafter.start();
      } catch (startError) {
        throw new Error(`rafter did not start (log ${cluster.rafter.logFile}): ${describe(startError)}`, {
          cause: startError,
        });
      }
    }
    const context: ScenarioContext = {
      cluster,
      namespace,
      kubectl: cluster.kubectl.in(namespace),
      repoRoot: deps.repoRoot,
      signal: controller.signal,
      log: (message) => {
        deps.out(`    ${message}`);
      },
      defer: (cleanup) => {
        cleanups.push(cleanup);
      },
      eventually: (what, check, timeoutMs = 60_000) => waitFor(what, check, { timeoutMs, intervalMs: 250 }),
    };
    await withTimeout(
      Promise.resolve().then(() => scenario.body(context)),
      scenario.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      controller,
    );
  } catch (caught) {
    error = describe(caught);
    if (namespace !== undefined) diagnosis = await clusterAtFailure(cluster, namespace, started);
  }
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (caught) {
      deps.out(`    cleanup failed: ${describe(caught)}`);
    }
  }
  if (namespace !== undefined)
    await cluster.kubectl.run(["delete", "namespace", namespace, "--wait=false"], { allowFailure: true });
  const seconds = (Date.now() - started) / 1000;
  return error === undefined
    ? { file, name: scenario.name, passed: true, seconds }
    : { file, name: scenario.name, passed: false, seconds, error, ...(diagnosis && { diagnosis }) };
}
