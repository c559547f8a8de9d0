// What a node needs to join the cluster, found once at start-up: the user data renderer and the
// image resolver consume it. Each value comes from its flag when given, else from EKS
// (DescribeCluster), the CA else from the kubeconfig rafter itself uses; the Kubernetes minor version
// always from the API server. A value nobody could supply is a ConfigError naming its flag, so rafter
// refuses to start rather than launch nodes that can never join.
import { ConfigError } from "../config.js";

export interface ClusterBootstrap {
  /** The EKS cluster's name (nodeadm's cluster.name, Bottlerocket's cluster-name). */
  readonly clusterName: string;
  /** The API server's URL nodes talk to, e.g. https://ABC.gr7.us-east-1.eks.amazonaws.com. */
  readonly apiServerEndpoint: string;
  /** The cluster CA bundle, PEM, base64-encoded (as DescribeCluster and kubeconfigs carry it). */
  readonly certificateAuthority: string;
  /** The Service CIDR, IPv4 ("10.100.0.0/16") or IPv6 ("fd00:10:96::/112"); nodeadm derives the cluster DNS address from it. */
  readonly serviceCidr: string;
  /** Kubernetes minor version, "1.36": selects the EKS-optimized images built for it. */
  readonly kubernetesVersion: string;
}

/** Values a source knows; any may be missing. */
export interface ClusterFacts {
  readonly endpoint?: string | undefined;
  readonly caBundle?: string | undefined;
  readonly serviceCidr?: string | undefined;
}

/** Why a source could not answer (e.g. AccessDenied, ResourceNotFound): shown in the startup error. */
export interface SourceFailure {
  readonly failed: string;
}

export interface BootstrapSources {
  readonly clusterName: string;
  /** --cluster-endpoint, --cluster-ca-bundle, --service-cidr as given. */
  readonly flags: ClusterFacts;
  /** eks:DescribeCluster; absent where there is no EKS to ask. */
  readonly describeCluster?: (name: string) => Promise<ClusterFacts | SourceFailure>;
  /** The CA of the kubeconfig (or in-cluster config) rafter runs with. */
  readonly kubeconfigCaBundle: () => string | undefined;
  /** The API server's /version gitVersion, e.g. "v1.36.3" or "v1.30.4-eks-a737599". */
  readonly serverVersion: () => Promise<string>;
}

const flagOf = {
  endpoint: "--cluster-endpoint",
  caBundle: "--cluster-ca-bundle",
  serviceCidr: "--service-cidr",
} as const;

const given = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value;

/** "v1.30.4-eks-a737599" → "1.30"; undefined when it is not a version. */
export function minorVersion(gitVersion: string): string | undefined {
  const match = /^v?(\d+)\.(\d+)/.exec(gitVersion.trim());
  return match ? `${match[1]}.${match[2]}` : undefined;
}

export async function discoverClusterBootstrap(sources: BootstrapSources): Promise<ClusterBootstrap> {
  let endpoint = given(sources.flags.endpoint);
  let caBundle = given(sources.flags.caBundle);
  let serviceCidr = given(sources.flags.serviceCidr);
  let eksFailure: string | undefined;
  if ((!endpoint || !caBundle || !serviceCidr) && sources.describeCluster) {
    const eks = await sources.describeCluster(sources.clusterName);
    if ("failed" in eks) eksFailure = eks.failed;
    else {
      endpoint ??= given(eks.endpoint);
      caBundle ??= given(eks.caBundle);
      serviceCidr ??= given(eks.serviceCidr);
    }
  }
  caBundle ??= given(sources.kubeconfigCaBundle());
  if (endpoint === undefined || caBundle === undefined || serviceCidr === undefined) {
    const values = { endpoint, caBundle, serviceCidr };
    const missing = (["endpoint", "caBundle", "serviceCidr"] as const).filter((key) => !values[key]);
    const why = sources.describeCluster
      ? eksFailure
        ? `eks:DescribeCluster ${sources.clusterName} failed: ${eksFailure}`
        : `eks:DescribeCluster ${sources.clusterName} did not say`
      : "no EKS to ask";
    throw new ConfigError(
      `nodes could not join: set ${missing.map((key) => flagOf[key]).join(", ")} (${why})`,
    );
  }
  const gitVersion = await sources.serverVersion();
  const kubernetesVersion = minorVersion(gitVersion);
  if (!kubernetesVersion)
    throw new ConfigError(`the API server's /version reports "${gitVersion}", not a Kubernetes version`);
  return Object.freeze({
    clusterName: sources.clusterName,
    apiServerEndpoint: endpoint,
    certificateAuthority: caBundle,
    serviceCidr,
    kubernetesVersion,
  });
}
