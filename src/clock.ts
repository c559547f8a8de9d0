// Time as a dependency: production code reads the clock and sets timers through these ports so that
// tests drive time by hand and never sleep.
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

export const systemClock: Clock = { now: () => Date.now() };

export function systemTimers(): Timers {
  const handles = new Map<number, NodeJS.Timeout>();
  let next = 0;
  return {
    setTimeout(callback, delayMs) {
      const id = next++;
      handles.set(
        id,
        setTimeout(() => {
          handles.delete(id);
          callback();
        }, delayMs),
      );
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
