// The cluster DNS address a node's kubelet is given: derived from the Service CIDR with the rule
// nodeadm applies (internal/api/net.go GetClusterDns) and EKS's CoreDNS add-on follows — the IPv4
// range's ".10", or the IPv6 range's prefix followed by "a".
import { isIPv4, isIPv6 } from "node:net";

export type ClusterDnsResult =
  { readonly ok: true; readonly ip: string } | { readonly ok: false; readonly message: string };

export function clusterDnsIp(serviceCidr: string): ClusterDnsResult {
  const [address = "", prefix] = serviceCidr.split("/");
  if (prefix === undefined || !/^[0-9]+$/.test(prefix))
    return { ok: false, message: `service CIDR ${serviceCidr} is not an address/prefix` };
  if (isIPv4(address)) return { ok: true, ip: `${address.slice(0, address.lastIndexOf("."))}.10` };
  if (isIPv6(address)) return { ok: true, ip: `${address}a` };
  return { ok: false, message: `service CIDR ${serviceCidr} is neither IPv4 nor IPv6` };
}
