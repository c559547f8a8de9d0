// Waits for a condition instead of for a number of event-loop turns: a test that counted turns
// breaks as soon as the code under test gains one more `await`. Real time bounds the wait only as a
// deadline (the tests drive their clocks by hand), so a condition that never holds fails the test
// with its description instead of hanging it.
import { setImmediate as nextTurn } from "node:timers/promises";

export interface UntilOptions {
  /** What is waited for, named in the failure. */
  readonly what?: string;
  /** Real milliseconds before giving up. Default 5000. */
  readonly deadlineMs?: number;
}

export async function until(condition: () => boolean, options: UntilOptions = {}): Promise<void> {
  const deadline = performance.now() + (options.deadlineMs ?? 5_000);
  while (!condition()) {
    if (performance.now() > deadline)
      throw new Error(`timed out waiting for ${options.what ?? "the condition"}`);
    await nextTurn();
  }
}
