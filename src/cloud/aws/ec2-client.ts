// The EC2 client rafter uses. SDK-level retries are turned off (maxAttempts 1): throttling is
// retried by retry.ts with jittered backoff on the injected clock, and capacity errors are not
// errors to retry blindly at all, so one layer decides and the SDK never retries behind our back.
import { EC2Client } from "@aws-sdk/client-ec2";

export interface Ec2ClientOptions {
  region: string;
  /** Endpoint override, e.g. a moto server "http://127.0.0.1:5000". */
  endpoint?: string | undefined;
  /** Static credentials (tests, moto); the SDK's default chain when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  requestTimeoutMs?: number | undefined;
}

/**
 * What every AWS client of rafter is configured with: the region, and the endpoint override and
 * static credentials when given. EC2 passes maxAttempts 1 (the opening comment says why); the
 * others (EKS, IAM, SSM, Pricing) make a few calls at start-up or per node class, so the SDK's
 * retries (3) serve them.
 */
export function awsClientConfig(options: Ec2ClientOptions, maxAttempts = 3) {
  return {
    region: options.region,
    maxAttempts,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

export function createEc2Client(options: Ec2ClientOptions): EC2Client {
  return new EC2Client({
    ...awsClientConfig(options, 1),
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 30_000 },
  });
}

export type { EC2Client };
