// The InterruptionSource port: the cloud's notices that an instance is about to be reclaimed, needs
// maintenance or changed state, as typed events. The AWS implementation (aws/interruption-queue.ts)
// reads them from the SQS queue EventBridge feeds; the lifecycle controller sees only these types.

export type InterruptionKind =
  "spot-interruption" | "rebalance" | "state-change" | "scheduled-change" | "unknown";

export interface InterruptionEvent {
  readonly kind: InterruptionKind;
  readonly instanceIds: readonly string[];
  /** The instance's new state, for a state change. */
  readonly state?: string;
}

/** One delivery of an event. Until it is acknowledged, the source delivers it again later. */
export interface InterruptionMessage {
  /** The source's id of the message, for logs. */
  readonly id: string;
  readonly event: InterruptionEvent;
  /** What the source needs to acknowledge this delivery; opaque to everyone else. */
  readonly receipt: string;
}

export interface InterruptionSource {
  /** Waits up to the long-poll time for messages (empty when none came). */
  receive(): Promise<InterruptionMessage[]>;
  /** The message was handled: it is not delivered again. */
  acknowledge(message: InterruptionMessage): Promise<void>;
}
