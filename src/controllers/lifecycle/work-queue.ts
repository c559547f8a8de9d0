// A small keyed work queue driven by the injected timers: reconcilers return when they want to run
// again, a key is never reconciled twice at once (a change arriving meanwhile reruns it afterwards),
// and an exception backs off exponentially instead of spinning.
import type { TimerHandle, Timers } from "../../clock.js";
import type { Logger } from "../../logging.js";
import { errorMessage } from "../../domain/error-message.js";
import { backoffDelay, exponential } from "../../domain/backoff.js";

/** Reconciles one key; returns the delay before the next run, or undefined when nothing is left. */
export type Reconcile = (key: string) => Promise<number | undefined>;

export interface WorkQueueOptions {
  readonly name: string;
  readonly timers: Timers;
  readonly now: () => number;
  readonly logger: Logger;
  readonly reconcile: Reconcile;
  /** Keys reconciled at the same time. */
  readonly concurrency?: number;
  readonly maxBackoffMs?: number;
}

export class WorkQueue {
  private readonly timers = new Map<string, { handle: TimerHandle; at: number }>();
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private stopped = false;

  constructor(private readonly options: WorkQueueOptions) {}

  /** Reconciles `key` after `delayMs` (now by default); an earlier request wins over a later one. */
  add(key: string, delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.clearTimer(key);
      this.enqueue(key);
      return;
    }
    const at = this.options.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    this.clearTimer(key);
    const handle = this.options.timers.setTimeout(() => {
      this.timers.delete(key);
      this.enqueue(key);
    }, delayMs);
    this.timers.set(key, { handle, at });
  }

  stop(): void {
    this.stopped = true;
    for (const { handle } of this.timers.values()) this.options.timers.clearTimeout(handle);
    this.timers.clear();
    this.ready.length = 0;
    this.queued.clear();
  }

  /** True when nothing runs or waits to run now (timers may still be pending). */
  get idle(): boolean {
    return this.running.size === 0 && this.ready.length === 0;
  }

  /** Keys with a pending timer, for tests and diagnostics. */
  get scheduled(): readonly string[] {
    return [...this.timers.keys()];
  }

  private clearTimer(key: string): void {
    const existing = this.timers.get(key);
    if (!existing) return;
    this.options.timers.clearTimeout(existing.handle);
    this.timers.delete(key);
  }

  private enqueue(key: string): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.ready.push(key);
    this.pump();
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 4;
    while (this.running.size < limit && this.ready.length > 0) {
      const key = this.ready.shift();
      if (key === undefined) break;
      this.queued.delete(key);
      this.running.add(key);
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    let next: number | undefined;
    try {
      next = await this.options.reconcile(key);
      this.failures.delete(key);
    } catch (error) {
      const attempt = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempt);
      next = backoffDelay(exponential(1_000, this.options.maxBackoffMs ?? 60_000), attempt);
      this.options.logger.error(
        {
          queue: this.options.name,
          key,
          attempt,
          err: errorMessage(error),
        },
        "reconcile failed",
      );
    }
    this.running.delete(key);
    if (this.dirty.delete(key)) this.enqueue(key);
    else if (next !== undefined) this.add(key, next);
    this.pump();
  }
}
