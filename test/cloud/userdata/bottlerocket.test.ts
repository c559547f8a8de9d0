// Bottlerocket user data parsed back with the TOML library and compared with the intended settings.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parse as parseToml } from "smol-toml";
import { kubeletSettingsOf } from "../../../src/catalog/kubelet-settings.js";
import { renderBottlerocketUserData } from "../../../src/cloud/userdata/bottlerocket.js";
import { nodeUserDataInput } from "../../../src/cloud/userdata/input.js";
import { bootstrap, instanceType, nodeClass, nodePool } from "./fixtures.js";

const pool = nodePool(
  { team: "infra", "kubernetes.io/role": "worker" },
  [{ key: "dedicated", value: "infra", effect: "NoSchedule" }],
  [{ key: "example.com/starting", effect: "NoExecute" }],
);

function render(userData?: string, cluster = bootstrap) {
  const type = instanceType("g5.xlarge");
  const result = renderBottlerocketUserData(nodeUserDataInput(cluster, nodeClass({ userData }), pool, type));
  assert.ok(result.ok, result.ok ? "" : result.message);
  // plain objects (the parser's tables have no prototype), for deepEqual
  return { doc: JSON.parse(JSON.stringify(parseToml(result.userData))) as Record<string, unknown>, type };
}

describe("Bottlerocket user data", () => {
  it("holds every settings.kubernetes value rafter means, as TOML", () => {
    const { doc, type } = render();
    const settings = kubeletSettingsOf(undefined, type.capacity);
    assert.deepEqual(doc, {
      settings: {
        kubernetes: {
          "cluster-name": "prod",
          "api-server": bootstrap.apiServerEndpoint,
          "cluster-certificate": bootstrap.certificateAuthority,
          "cluster-dns-ip": "10.100.0.10",
          "max-pods": type.capacity.pods,
          "node-labels": { "rafter.dev/nodepool": "general", team: "infra" },
          "node-taints": { dedicated: ["infra:NoSchedule"], "example.com/starting": [":NoExecute"] },
          "system-reserved": settings.systemReserved,
          "kube-reserved": settings.kubeReserved,
          "eviction-hard": settings.evictionHard,
        },
      },
    });
  });

  it("merges over the user's TOML: theirs kept, rafter's keys winning", () => {
    const user = [
      "[settings.kubernetes]",
      'cluster-name = "someone-else"',
      "max-pods = 3",
      "[settings.kubernetes.node-labels]",
      'user = "label"',
      'team = "theirs"',
      "[settings.host-containers.admin]",
      "enabled = true",
    ].join("\n");
    const { doc, type } = render(user);
    const kubernetes = (doc.settings as Record<string, Record<string, unknown>>).kubernetes ?? {};
    assert.equal(kubernetes["cluster-name"], "prod");
    assert.equal(kubernetes["max-pods"], type.capacity.pods);
    assert.deepEqual(kubernetes["node-labels"], {
      user: "label",
      team: "infra",
      "rafter.dev/nodepool": "general",
    });
    assert.deepEqual((doc.settings as Record<string, unknown>)["host-containers"], {
      admin: { enabled: true },
    });
  });

  it("derives the IPv6 cluster DNS address as nodeadm does", () => {
    const { doc } = render(undefined, { ...bootstrap, serviceCidr: "fd00:10:96::/112" });
    assert.equal(
      (doc.settings as { kubernetes: Record<string, unknown> }).kubernetes["cluster-dns-ip"],
      "fd00:10:96::a",
    );
  });

  it("refuses user data that is not TOML, saying so", () => {
    const type = instanceType("m5.large");
    const result = renderBottlerocketUserData(
      nodeUserDataInput(bootstrap, nodeClass({ userData: "#!/bin/bash\necho" }), pool, type),
    );
    assert.ok(!result.ok && result.message.startsWith("userData is not TOML"));
  });
});
