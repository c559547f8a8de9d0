// Every field of the NodeConfig → kubelet translation the e2e real-node tier boots kubelets with,
// checked against what nodeadm's own code (nodeadm/internal/kubelet/config.go) produces.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  clusterDnsFor,
  nodeadmCpuReserveMillis,
  nodeadmKubeletLaunch,
  nodeadmMemoryReserveMiB,
  type InstanceFacts,
} from "../../e2e/node/nodeadm-kubelet.js";
import type { NodeConfig } from "../../e2e/node/user-data.js";

const instance: InstanceFacts = {
  instanceId: "i-0123",
  zone: "us-east-1b",
  privateDnsName: "ip-172-31-1-2.ec2.internal",
  privateIp: "172.31.1.2",
  eniMaxPods: 29,
  hostCpuMillis: 2000,
  kubeletVersion: "v1.36.3",
};

const nodeConfig: NodeConfig = {
  spec: {
    cluster: {
      name: "c",
      apiServerEndpoint: "https://x",
      certificateAuthority: "Y2E=",
      cidr: "10.100.0.0/16",
    },
    kubelet: {
      config: { maxPods: 58, registerWithTaints: [{ key: "a", value: "b", effect: "NoSchedule" }] },
      flags: ["--node-labels=rafter.dev/nodepool=p,team=x"],
    },
  },
};

describe("nodeadm kubelet translation", () => {
  it("reserves cpu in nodeadm's bands with integer math per band", () => {
    assert.equal(nodeadmCpuReserveMillis(1000), 60);
    assert.equal(nodeadmCpuReserveMillis(2000), 70);
    assert.equal(nodeadmCpuReserveMillis(4000), 80);
    assert.equal(nodeadmCpuReserveMillis(5000), 82); // 2.5m in the last band truncates
    assert.equal(nodeadmCpuReserveMillis(96000), 310);
    assert.equal(nodeadmCpuReserveMillis(500), 30);
  });

  it("reserves 11 MiB per pod plus 255 MiB", () => {
    assert.equal(nodeadmMemoryReserveMiB(29), 574);
    assert.equal(nodeadmMemoryReserveMiB(110), 1465);
  });

  it("derives the cluster DNS address from the service CIDR", () => {
    assert.equal(clusterDnsFor("10.100.0.0/16"), "10.100.0.10");
    assert.equal(clusterDnsFor("172.20.0.0/16"), "172.20.0.10");
    assert.equal(clusterDnsFor(undefined), undefined);
    assert.equal(clusterDnsFor("fd00::/108"), undefined);
  });

  it("names the node by its private DNS name and gives it the aws provider ID", () => {
    const launch = nodeadmKubeletLaunch(nodeConfig, instance);
    assert.equal(launch.nodeName, "ip-172-31-1-2.ec2.internal");
    assert.equal(launch.providerId, "aws:///us-east-1b/i-0123");
    assert.equal(launch.baseConfig.providerID, "aws:///us-east-1b/i-0123");
  });

  it("writes nodeadm's defaults and instance-derived values into the base config", () => {
    const base = nodeadmKubeletLaunch(nodeConfig, instance).baseConfig;
    assert.deepEqual(base, {
      apiVersion: "kubelet.config.k8s.io/v1beta1",
      kind: "KubeletConfiguration",
      address: "0.0.0.0",
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true, cacheTTL: "2m0s" },
        x509: { clientCAFile: "/etc/kubernetes/pki/ca.crt" },
      },
      authorization: {
        mode: "Webhook",
        webhook: { cacheAuthorizedTTL: "5m0s", cacheUnauthorizedTTL: "30s" },
      },
      cgroupDriver: "systemd",
      cgroupRoot: "/",
      clusterDNS: ["10.100.0.10"],
      clusterDomain: "cluster.local",
      containerRuntimeEndpoint: "unix:///run/containerd/containerd.sock",
      evictionHard: { "memory.available": "100Mi", "nodefs.available": "10%", "nodefs.inodesFree": "5%" },
      featureGates: {
        RotateKubeletServerCertificate: true,
        DynamicResourceAllocation: true,
        MutableCSINodeAllocatableCount: true,
      },
      hairpinMode: "hairpin-veth",
      kubeReserved: { cpu: "70m", "ephemeral-storage": "1Gi", memory: "574Mi" },
      kubeReservedCgroup: "/runtime",
      logging: { verbosity: 2 },
      maxPods: 29,
      protectKernelDefaults: true,
      providerID: "aws:///us-east-1b/i-0123",
      readOnlyPort: 0,
      serializeImagePulls: false,
      serverTLSBootstrap: true,
      shutdownGracePeriod: "2m30s",
      shutdownGracePeriodCriticalPods: "30s",
      systemReservedCgroup: "/system",
    });
  });

  it("leaves out the 1.33+/1.34+ toggles for older kubelets", () => {
    const base = nodeadmKubeletLaunch(nodeConfig, { ...instance, kubeletVersion: "v1.32.1" }).baseConfig;
    assert.deepEqual(base.featureGates, { RotateKubeletServerCertificate: true });
    assert.equal(base.shutdownGracePeriod, undefined);
    const v133 = nodeadmKubeletLaunch(nodeConfig, { ...instance, kubeletVersion: "v1.33.0" }).baseConfig;
    assert.deepEqual(v133.featureGates, {
      RotateKubeletServerCertificate: true,
      DynamicResourceAllocation: true,
    });
  });

  it("omits clusterDNS when the NodeConfig has no service CIDR", () => {
    const bare: NodeConfig = { spec: { cluster: { name: "c" } } };
    assert.equal(nodeadmKubeletLaunch(bare, instance).baseConfig.clusterDNS, undefined);
  });

  it("puts the NodeConfig's kubelet config in a drop-in, typed, without touching kube-reserved", () => {
    const launch = nodeadmKubeletLaunch(nodeConfig, instance);
    assert.deepEqual(launch.dropIn, {
      apiVersion: "kubelet.config.k8s.io/v1beta1",
      kind: "KubeletConfiguration",
      maxPods: 58,
      registerWithTaints: [{ key: "a", value: "b", effect: "NoSchedule" }],
    });
    // kube-reserved memory stays on the ENI figure (29 pods), as nodeadm computes it before the drop-in
    assert.deepEqual(launch.baseConfig.kubeReserved, {
      cpu: "70m",
      "ephemeral-storage": "1Gi",
      memory: "574Mi",
    });
  });

  it("has no drop-in when the NodeConfig has no kubelet config", () => {
    assert.equal(nodeadmKubeletLaunch({ spec: {} }, instance).dropIn, undefined);
    assert.equal(nodeadmKubeletLaunch({ spec: { kubelet: { config: {} } } }, instance).dropIn, undefined);
  });

  it("passes nodeadm's flags first, then the NodeConfig's flags in order", () => {
    assert.deepEqual(nodeadmKubeletLaunch(nodeConfig, instance).flags, [
      "--hostname-override=ip-172-31-1-2.ec2.internal",
      "--cloud-provider=external",
      "--node-ip=172.31.1.2",
      "--runtime-cgroups=/runtime.slice/containerd.service",
      "--node-labels=rafter.dev/nodepool=p,team=x",
    ]);
  });
});
