// Collects provisionable pods into batches: a batch closes after an idle window with no new pods
// (default 1 s) or at the latest after the max window (default 10 s), so that a burst of pods is
// planned together (cheaper packing) without delaying a lone pod for long.
import type { Clock, TimerHandle, Timers } from "../clock.js";

export interface BatcherOptions {
  readonly idleMs: number;
  readonly maxMs: number;
  readonly clock: Clock;
  readonly timers: Timers;
  /** Called with the batch's keys once it closes. Never called with an empty batch. */
  readonly onBatch: (keys: string[]) => void;
}

export class Batcher {
  private readonly keys = new Set<string>();
  private openedAt: number | undefined;
  private idleTimer: TimerHandle | undefined;
  private maxTimer: TimerHandle | undefined;

  constructor(private readonly options: BatcherOptions) {}

  /** Adds a key; the first key opens a batch, every key restarts the idle window. */
  add(key: string): void {
    const isNew = !this.keys.has(key);
    this.keys.add(key);
    if (this.openedAt === undefined) {
      this.openedAt = this.options.clock.now();
      this.maxTimer = this.options.timers.setTimeout(() => {
        this.flush();
      }, this.options.maxMs);
    }
    if (isNew) {
      this.options.timers.clearTimeout(this.idleTimer);
      this.idleTimer = this.options.timers.setTimeout(() => {
        this.flush();
      }, this.options.idleMs);
    }
  }

  /** Closes the current batch now (e.g. to re-plan at once after an insufficient-capacity failure). */
  flush(): void {
    this.options.timers.clearTimeout(this.idleTimer);
    this.options.timers.clearTimeout(this.maxTimer);
    this.idleTimer = undefined;
    this.maxTimer = undefined;
    this.openedAt = undefined;
    if (this.keys.size === 0) return;
    const batch = [...this.keys];
    this.keys.clear();
    this.options.onBatch(batch);
  }

  get size(): number {
    return this.keys.size;
  }

  stop(): void {
    this.options.timers.clearTimeout(this.idleTimer);
    this.options.timers.clearTimeout(this.maxTimer);
    this.keys.clear();
    this.openedAt = undefined;
  }
}
