// What a node needs to know about its cluster to join it: the input of the user data renderers and
// of the image resolver (the Kubernetes minor version picks the EKS image parameters). Produced once
// at startup by cluster discovery (flags, eks:DescribeCluster, the API server's /version), or by
// `rafter userdata` from its flags; a missing value is a startup error there, never an empty field here.
export interface ClusterBootstrap {
  /** The EKS cluster's name (nodeadm's cluster.name, Bottlerocket's cluster-name). */
  readonly clusterName: string;
  /** The API server's URL, e.g. https://ABC.gr7.us-east-1.eks.amazonaws.com. */
  readonly apiServerEndpoint: string;
  /** The cluster CA bundle, PEM, base64-encoded (as DescribeCluster returns it). */
  readonly certificateAuthority: string;
  /** The Service CIDR, IPv4 ("10.100.0.0/16") or IPv6 ("fd00:10:96::/112"). */
  readonly serviceCidr: string;
  /** Kubernetes minor version, "1.36": selects the EKS-optimized images built for it. */
  readonly kubernetesVersion: string;
}
