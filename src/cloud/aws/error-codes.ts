// EC2 error codes and how they map onto the port's typed outcomes.
import { errorMessage } from "../../domain/error-message.js";
import { cloudFailure, notFound, throttled, type CloudError } from "../errors.js";

/** The EC2 error code of an SDK exception (its `name`), or of a plain { Code } / { code } object. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const record = error as { name?: unknown; Code?: unknown; code?: unknown };
  for (const candidate of [record.Code, record.code, record.name]) {
    if (typeof candidate === "string" && candidate !== "" && candidate !== "Error") return candidate;
  }
  return undefined;
}

/**
 * Fleet error codes that say "this offering, not now": the offering is marked unavailable and the
 * launch retried with what is left. Account-wide limits (VcpuLimitExceeded) are not in here —
 * another type would hit the same wall.
 */
export const capacityErrorCodes: ReadonlySet<string> = new Set([
  "InsufficientInstanceCapacity",
  "InsufficientCapacity",
  "InsufficientHostCapacity",
  "InsufficientReservedInstanceCapacity",
  "MaxSpotInstanceCountExceeded",
  "SpotMaxPriceTooLow",
  "UnfulfillableCapacity",
  "Unsupported",
  "InsufficientFreeAddressesInSubnet",
]);

const notFoundCodes: ReadonlySet<string> = new Set([
  "InvalidInstanceID.NotFound",
  "InvalidInstanceID.Malformed",
  "InvalidLaunchTemplateName.NotFoundException",
  "InvalidLaunchTemplateId.NotFound",
]);

/** An unexpected SDK error as a port outcome (throttling that survived our retries included). */
export function toCloudError(error: unknown): CloudError {
  const code = errorCode(error);
  const message = errorMessage(error);
  if (code !== undefined && notFoundCodes.has(code)) return notFound(message);
  if (code !== undefined && ["RequestLimitExceeded", "Throttling", "ThrottlingException"].includes(code)) {
    return throttled(message, 5_000);
  }
  return cloudFailure(`${code ?? "Error"}: ${message}`, code);
}

/**
 * Errors that mean a cached lookup went stale: a launch template, subnet, security group or image the
 * provider remembered no longer exists (deleted by an operator, or a test endpoint was reset).
 */
const staleResourceCodes = new Set([
  "InvalidLaunchTemplateName.NotFoundException",
  "InvalidLaunchTemplateId.NotFound",
  "InvalidLaunchTemplateId.VersionNotFound",
  "InvalidSubnetID.NotFound",
  "InvalidGroup.NotFound",
  "InvalidAMIID.NotFound",
]);

export function isStaleResourceError(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && staleResourceCodes.has(code)) return true;
  const message = errorMessage(error);
  return /launch template.*does not exist|InvalidSubnetID\.NotFound|InvalidLaunchTemplate/i.test(message);
}
