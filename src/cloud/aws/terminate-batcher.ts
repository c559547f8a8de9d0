// TerminateInstances, batched: deletes that arrive within a short window share one call (up to
// 500 ids, under EC2's limit of 1000), so draining many nodes stays inside the mutating-call budget.
// EC2 fails a whole batch when one id does not exist; then the ids are retried one by one so that
// each caller learns its own outcome.
import { TerminateInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { errorCode } from "./error-codes.js";
import type { Ec2Caller } from "./ec2-caller.js";
import { systemTimers } from "../../clock.js";

/** A pending batch never keeps the process alive on its own. */
const unrefTimers = systemTimers({ unref: true });

/** What happened to one instance: it is shutting down now, or it was already gone. */
export type TerminateOutcome = "terminating" | "gone";

interface Waiter {
  resolve: (outcome: TerminateOutcome) => void;
  reject: (error: unknown) => void;
}

export interface TerminateBatcherOptions {
  /** How long to wait for more deletes before sending. Default 50 ms. */
  readonly windowMs?: number;
  readonly maxBatch?: number;
  /** Timer, injectable for tests. */
  readonly schedule?: (callback: () => void, ms: number) => void;
}

export class TerminateBatcher {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;
  /** Number of TerminateInstances calls made, for tests and metrics. */
  calls = 0;

  constructor(
    private readonly ec2: EC2Client,
    private readonly caller: Ec2Caller,
    private readonly options: TerminateBatcherOptions = {},
  ) {}

  terminate(instanceId: string): Promise<TerminateOutcome> {
    return new Promise<TerminateOutcome>((resolve, reject) => {
      const waiters = this.pending.get(instanceId) ?? [];
      waiters.push({ resolve, reject });
      this.pending.set(instanceId, waiters);
      if (this.pending.size >= (this.options.maxBatch ?? 500)) {
        void this.flush();
      } else if (!this.scheduled) {
        this.scheduled = true;
        const schedule = this.options.schedule ?? unrefTimers.setTimeout.bind(unrefTimers);
        schedule(() => void this.flush(), this.options.windowMs ?? 50);
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    if (batch.size === 0) return;
    const ids = [...batch.keys()];
    try {
      const outcomes = await this.send(ids);
      for (const [id, waiters] of batch)
        for (const w of waiters) w.resolve(outcomes.get(id) ?? "terminating");
    } catch (error) {
      if (ids.length > 1 && isNotFound(error)) {
        await this.isolate(batch); // one unknown id failed the whole batch
        return;
      }
      for (const waiters of batch.values()) {
        for (const w of waiters) {
          if (isNotFound(error)) w.resolve("gone");
          else w.reject(error);
        }
      }
    }
  }

  private async isolate(batch: Map<string, Waiter[]>): Promise<void> {
    await Promise.all(
      [...batch].map(async ([id, waiters]) => {
        try {
          const outcome = (await this.send([id])).get(id) ?? "terminating";
          for (const w of waiters) w.resolve(outcome);
        } catch (error) {
          for (const w of waiters) {
            if (isNotFound(error)) w.resolve("gone");
            else w.reject(error);
          }
        }
      }),
    );
  }

  private async send(ids: string[]): Promise<Map<string, TerminateOutcome>> {
    this.calls++;
    const answer = await this.caller.call("TerminateInstances", () =>
      this.ec2.send(new TerminateInstancesCommand({ InstanceIds: ids })),
    );
    const outcomes = new Map<string, TerminateOutcome>();
    for (const change of answer.TerminatingInstances ?? []) {
      if (!change.InstanceId) continue;
      outcomes.set(change.InstanceId, change.PreviousState?.Name === "terminated" ? "gone" : "terminating");
    }
    return outcomes;
  }
}

function isNotFound(error: unknown): boolean {
  const code = errorCode(error);
  return code === "InvalidInstanceID.NotFound" || code === "InvalidInstanceID.Malformed";
}
