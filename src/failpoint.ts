// Failpoints: named steps of the provisioning path where a test can make rafter crash, to prove that a
// crash at any step leaves no orphaned or duplicated instance and no stranded pod. Off unless the
// RAFTER_FAILPOINT environment variable names a step; the e2e crash-safety scenario sets it.
import type { Logger } from "./logging.js";

export const launchSteps = [
  /** The VirtualNode is recorded; the cloud has not been called. */
  "before-launch",
  /** CreateFleet returned an instance; the VirtualNode does not record it yet. */
  "instance-launched",
  /** The Node object exists; no pod is bound to it yet. */
  "node-created",
  /** One pod is bound; the others are not. */
  "pod-bound",
] as const;

export type LaunchStep = (typeof launchSteps)[number];

export type Failpoint = (step: LaunchStep) => void;

/**
 * The failpoint `setting` asks for, or undefined when it is unset. An unknown step name throws, so a
 * typo cannot make a crash test pass by never crashing.
 */
export function failpointFrom(
  setting: string | undefined,
  logger: Logger,
  crash: () => void = () => process.kill(process.pid, "SIGKILL"),
): Failpoint | undefined {
  if (setting === undefined || setting === "") return undefined;
  if (!(launchSteps as readonly string[]).includes(setting))
    throw new Error(`RAFTER_FAILPOINT: unknown step "${setting}" (one of ${launchSteps.join(", ")})`);
  let fired = false;
  return (step) => {
    if (step !== setting || fired) return;
    fired = true;
    logger.warn({ failpoint: step }, "failpoint reached: crashing");
    crash();
  };
}
