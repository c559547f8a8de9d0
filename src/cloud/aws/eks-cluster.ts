// eks:DescribeCluster for start-up discovery: the API server endpoint, its CA and the Service CIDR
// (IPv4, or IPv6 on an IPv6 cluster). Any failure (AccessDenied, ResourceNotFound, no network) is an
// answer with its reason, so the startup error can say why the values are missing.
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import type { ClusterFacts, SourceFailure } from "../cluster-bootstrap.js";
import { awsClientConfig, type Ec2ClientOptions } from "./ec2-client.js";
import { errorCode } from "./error-codes.js";

export function createEksClient(options: Ec2ClientOptions): EKSClient {
  return new EKSClient(awsClientConfig(options));
}

export function eksClusterDescriber(eks: EKSClient): (name: string) => Promise<ClusterFacts | SourceFailure> {
  return async (name) => {
    try {
      const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
      const network = cluster?.kubernetesNetworkConfig;
      return {
        endpoint: cluster?.endpoint,
        caBundle: cluster?.certificateAuthority?.data,
        serviceCidr:
          network?.ipFamily === "ipv6"
            ? network.serviceIpv6Cidr
            : (network?.serviceIpv4Cidr ?? network?.serviceIpv6Cidr),
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { failed: `${errorCode(error) ?? "error"}: ${message.split("\n")[0] ?? ""}` };
    }
  };
}
