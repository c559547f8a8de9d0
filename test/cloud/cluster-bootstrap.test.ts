// Start-up discovery of what nodes need to join: flags first, then eks:DescribeCluster, the CA then
// the kubeconfig's; a value nobody supplies is a one-line ConfigError naming its flag.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  discoverClusterBootstrap,
  minorVersion,
  type BootstrapSources,
  type ClusterFacts,
} from "../../src/cloud/cluster-bootstrap.js";
import { ConfigError, resolveConfig } from "../../src/config.js";
import { eksClusterDescriber } from "../../src/cloud/aws/eks-cluster.js";

const eksAnswer: ClusterFacts = {
  endpoint: "https://ABC.gr7.us-east-1.eks.amazonaws.com",
  caBundle: "RUtTLUNB",
  serviceCidr: "172.20.0.0/16",
};

function sources(overrides: Partial<BootstrapSources> = {}): BootstrapSources & { described: string[] } {
  const described: string[] = [];
  return {
    clusterName: "prod",
    flags: {},
    describeCluster: (name) => {
      described.push(name);
      return Promise.resolve(eksAnswer);
    },
    kubeconfigCaBundle: () => "S1VCRUNPTkZJRy1DQQ==",
    serverVersion: () => Promise.resolve("v1.30.4-eks-a737599"),
    described,
    ...overrides,
  };
}

describe("cluster bootstrap discovery", () => {
  it("takes every value from DescribeCluster when no flag is given, the version from /version", async () => {
    const s = sources();
    assert.deepEqual(await discoverClusterBootstrap(s), {
      clusterName: "prod",
      apiServerEndpoint: eksAnswer.endpoint,
      certificateAuthority: eksAnswer.caBundle,
      serviceCidr: eksAnswer.serviceCidr,
      kubernetesVersion: "1.30",
    });
    assert.deepEqual(s.described, ["prod"]);
  });

  it("does not call EKS when the flags give everything, and flags win", async () => {
    const s = sources({
      flags: { endpoint: "https://api.example", caBundle: "Q0E=", serviceCidr: "fd00::/108" },
    });
    const bootstrap = await discoverClusterBootstrap(s);
    assert.equal(bootstrap.apiServerEndpoint, "https://api.example");
    assert.equal(bootstrap.serviceCidr, "fd00::/108");
    assert.deepEqual(s.described, []);
  });

  it("falls back to the kubeconfig's CA when EKS gives none", async () => {
    const s = sources({ describeCluster: () => Promise.resolve({ ...eksAnswer, caBundle: undefined }) });
    assert.equal((await discoverClusterBootstrap(s)).certificateAuthority, "S1VCRUNPTkZJRy1DQQ==");
  });

  it("names the missing flags and EKS's reason when DescribeCluster fails", async () => {
    const s = sources({
      describeCluster: () => Promise.resolve({ failed: "AccessDeniedException: not authorized" }),
    });
    await assert.rejects(discoverClusterBootstrap(s), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(
        error.message,
        "nodes could not join: set --cluster-endpoint, --service-cidr " +
          "(eks:DescribeCluster prod failed: AccessDeniedException: not authorized)",
      );
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  });

  it("rejects an API server version it cannot read", async () => {
    const s = sources({ serverVersion: () => Promise.resolve("v0-master") });
    await assert.rejects(discoverClusterBootstrap(s), ConfigError);
  });

  it("reads minor versions as EKS and upstream report them", () => {
    assert.equal(minorVersion("v1.36.3"), "1.36");
    assert.equal(minorVersion("v1.30.4-eks-a737599"), "1.30");
    assert.equal(minorVersion("garbage"), undefined);
  });

  it("validates the flags: https endpoint, base64 CA, a CIDR", () => {
    const config = resolveConfig(
      {
        "cluster-endpoint": "https://x.example",
        "service-cidr": "10.100.0.0/16",
        "cluster-ca-bundle": "QUJD",
      },
      {},
    );
    assert.equal(config.serviceCidr, "10.100.0.0/16");
    assert.throws(() => resolveConfig({ "cluster-endpoint": "http://x" }, {}), /--cluster-endpoint/);
    assert.throws(() => resolveConfig({ "service-cidr": "10.0.0.0" }, {}), /--service-cidr/);
    assert.throws(() => resolveConfig({ "cluster-ca-bundle": "-----BEGIN" }, {}), /--cluster-ca-bundle/);
  });

  it("reads the IPv6 Service CIDR of an IPv6 cluster from DescribeCluster", async () => {
    const answer = {
      cluster: {
        endpoint: "https://x.eks.amazonaws.com",
        certificateAuthority: { data: "Q0E=" },
        kubernetesNetworkConfig: {
          ipFamily: "ipv6",
          serviceIpv4Cidr: "",
          serviceIpv6Cidr: "fd7c:1234::/108",
        },
      },
    };
    const describe = eksClusterDescriber({ send: () => Promise.resolve(answer) } as never);
    assert.deepEqual(await describe("v6"), {
      endpoint: "https://x.eks.amazonaws.com",
      caBundle: "Q0E=",
      serviceCidr: "fd7c:1234::/108",
    });
  });
});
