// The scenario API. A scenario file registers its scenarios at import time:
//
//   scenario("a pod lands on a kwok node", { needsRafter: true }, async ({ kubectl, eventually }) => { … });
//
// The runner (e2e/run.ts) gives each scenario a fresh namespace, a freshly reset and seeded moto, and
// rafter running when it asks for it; assertions are node:assert's.
import type { Cluster } from "../cluster/cluster.js";
import type { Kubectl } from "../cluster/kubectl.js";

export interface ScenarioContext {
  readonly cluster: Cluster;
  /** The scenario's own namespace (deleted afterwards). */
  readonly namespace: string;
  /** kubectl as cluster admin, in the scenario's namespace. */
  readonly kubectl: Kubectl;
  readonly repoRoot: string;
  /** Aborted when the scenario times out. */
  readonly signal: AbortSignal;
  readonly log: (message: string) => void;
  /** Registers a cleanup, run after the scenario (newest first) whether it passed or not. */
  readonly defer: (cleanup: () => Promise<unknown>) => void;
  /**
   * Polls `check` until it returns something other than undefined/false; errors thrown by `check`
   * mean "not yet" and the last one is reported on timeout.
   */
  readonly eventually: <T>(
    what: string,
    check: () => Promise<T | undefined | false>,
    timeoutMs?: number,
  ) => Promise<T>;
}

export interface ScenarioOptions {
  /** Start rafter first if it is not running (default false). */
  readonly needsRafter?: boolean;
  readonly timeoutMs?: number;
}

export type ScenarioBody = (context: ScenarioContext) => Promise<void> | void;

export interface Scenario {
  readonly name: string;
  readonly options: ScenarioOptions;
  readonly body: ScenarioBody;
}

const registered: Scenario[] = [];

export function scenario(name: string, body: ScenarioBody): void;
export function scenario(name: string, options: ScenarioOptions, body: ScenarioBody): void;
export function scenario(name: string, a: ScenarioOptions | ScenarioBody, b?: ScenarioBody): void {
  const body = typeof a === "function" ? a : b;
  if (body === undefined) throw new Error(`scenario "${name}" has no body`);
  registered.push({ name, options: typeof a === "function" ? {} : a, body });
}

/** Removes and returns what was registered since the last call (the runner imports one file at a time). */
export function takeRegistered(): Scenario[] {
  return registered.splice(0, registered.length);
}
