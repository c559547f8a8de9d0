// Time as a dependency: production code reads the clock and sets timers through these ports so that
// tests drive time by hand and never sleep.
import type { Random } from "./domain/backoff.js";
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface TimerHandle {
  readonly id: number;
}

export interface Timers {
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** Uniform in [0, 1). Passed in wherever chance decides (jitter), so that tests pin it. */
export type { Random };

export const systemClock: Clock = { now: () => Date.now() };

export const systemRandom: Random = () => Math.random();

/** A promise that resolves after `ms` on the given timers. */
export function sleepOn(timers: Timers): (ms: number) => Promise<void> {
  return (ms) =>
    new Promise((resolve) => {
      timers.setTimeout(resolve, ms);
    });
}

/**
 * Node's timers behind the port. `unref`: pending timers do not keep the process alive (for work
 * that only matters while something else runs, e.g. a batching window).
 */
export function systemTimers(options: { readonly unref?: boolean } = {}): Timers {
  const handles = new Map<number, NodeJS.Timeout>();
  let next = 0;
  return {
    setTimeout(callback, delayMs) {
      const id = next++;
      const timer = setTimeout(() => {
        handles.delete(id);
        callback();
      }, delayMs);
      if (options.unref === true) timer.unref();
      handles.set(id, timer);
      return { id };
    },
    clearTimeout(handle) {
      if (!handle) return;
      clearTimeout(handles.get(handle.id));
      handles.delete(handle.id);
    },
  };
}

/** A clock and timers that tests move by hand; due timers fire, in order, as time advances. */
export class ManualClock implements Clock, Timers {
  private readonly pending = new Map<number, { at: number; callback: () => void }>();
  private next = 0;

  constructor(private current = 0) {}

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.next++;
    this.pending.set(id, { at: this.current + Math.max(0, delayMs), callback });
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.pending.delete(handle.id);
  }

  /** Number of timers not yet fired. */
  get pendingTimers(): number {
    return this.pending.size;
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.pending)
        if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.pending.delete(due[0]);
      this.current = due[1].at;
      due[1].callback();
    }
    this.current = target;
  }

  set(ms: number): void {
    this.current = ms;
  }
}
