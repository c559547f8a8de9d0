// Runs a reconcile at most once per window however many events ask for it, and again after the
// window when events arrived while it ran. Reconcilers return the delay after which they want to run
// again on their own (undefined: only when asked).
import type { TimerHandle, Timers } from "../clock.js";
import type { Logger } from "../logging.js";
import { errorMessage } from "../domain/error-message.js";

export class Debounced {
  private timer: TimerHandle | undefined;
  /** The pending timer is the reconciler's own "run again later", which any request brings forward. */
  private periodic = false;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly windowMs: number,
    private readonly reconcile: () => Promise<number | undefined>,
    private readonly timers: Timers,
    private readonly logger: Logger,
  ) {}

  request(delayMs = this.windowMs): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer && !this.periodic) return;
    this.schedule(delayMs, false);
  }

  stop(): void {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    this.running = true;
    let next: number | undefined;
    try {
      next = await this.reconcile();
    } catch (error) {
      this.logger.warn({ reconciler: this.name, err: errorMessage(error) }, "reconcile failed");
      next = 10_000;
    }
    this.running = false;
    if (this.again) {
      this.again = false;
      this.request();
    } else if (next !== undefined && !this.stopped) {
      this.schedule(next, true);
    }
  }

  private schedule(delayMs: number, periodic: boolean): void {
    this.timers.clearTimeout(this.timer);
    this.periodic = periodic;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, delayMs);
  }
}
