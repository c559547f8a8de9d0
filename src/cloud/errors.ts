// Expected cloud outcomes as values. Callers switch on `kind`; nothing here is thrown, because
// "no capacity", "already gone" and "slow down" are ordinary answers a controller plans around.
import type { Result as DomainResult } from "../domain/result.js";
import type { CapacityType } from "../api/common.js";

export interface FailedOffering {
  readonly instanceType: string;
  readonly zone: string;
  readonly capacityType: CapacityType;
  /** EC2's error code for this offering, e.g. InsufficientInstanceCapacity. */
  readonly code: string;
}

/** No offering could be launched; each failed one has been marked unavailable. */
export interface InsufficientCapacity {
  readonly kind: "InsufficientCapacity";
  readonly message: string;
  readonly offerings: readonly FailedOffering[];
}

/** The instance does not exist (any more): for delete this means "already gone". */
export interface NotFound {
  readonly kind: "NotFound";
  readonly message: string;
  readonly providerId?: string;
}

/** The cloud's API asked us to slow down (after our own retries gave up). */
export interface Throttled {
  readonly kind: "Throttled";
  readonly message: string;
  /** Suggested wait before the next attempt. */
  readonly retryAfterMs: number;
}

/** The EC2NodeClass cannot launch anything: no subnets, security groups or image resolved, … */
export interface InvalidNodeClass {
  readonly kind: "InvalidNodeClass";
  readonly message: string;
  /** Machine-readable reason, used as the EC2NodeClass condition's reason. */
  readonly reason: string;
}

/** Anything else, with the cloud's own code and message. */
export interface CloudFailure {
  readonly kind: "Failed";
  readonly message: string;
  readonly code?: string;
}

export type CloudError = InsufficientCapacity | NotFound | Throttled | InvalidNodeClass | CloudFailure;

/** The port's outcomes: domain/result.ts's Result, failing with a CloudError unless said otherwise. */
export type Result<T, E = CloudError> = DomainResult<T, E>;

export { fail, ok } from "../domain/result.js";

export const notFound = (message: string, providerId?: string): NotFound =>
  providerId === undefined ? { kind: "NotFound", message } : { kind: "NotFound", message, providerId };
export const throttled = (message: string, retryAfterMs: number): Throttled => ({
  kind: "Throttled",
  message,
  retryAfterMs,
});
export const invalidNodeClass = (reason: string, message: string): InvalidNodeClass => ({
  kind: "InvalidNodeClass",
  reason,
  message,
});
export const cloudFailure = (message: string, code?: string): CloudFailure =>
  code === undefined ? { kind: "Failed", message } : { kind: "Failed", message, code };
