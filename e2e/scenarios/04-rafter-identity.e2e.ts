// rafter runs under its own identity, limited by manifests/rbac/rafter.yaml: it is its ServiceAccount,
// in no privileged group, allowed what the ClusterRole grants and nothing broader. (Permissions it
// lacks surface as failures in the scenarios that need them; this pins the identity itself.)
import assert from "node:assert/strict";
import { scenario } from "../harness/scenario.js";

interface WhoAmI {
  status: { userInfo: { username: string; groups?: string[] } };
}

scenario("rafter authenticates as its ServiceAccount, with RBAC-limited rights", async ({ cluster }) => {
  const me = JSON.parse((await cluster.rafterKubectl.run(["auth", "whoami", "-o", "json"])).stdout) as WhoAmI;
  assert.equal(me.status.userInfo.username, "system:serviceaccount:kube-system:rafter");
  assert.ok(
    !(me.status.userInfo.groups ?? []).includes("system:masters"),
    "rafter must not be in system:masters",
  );

  const can = async (...args: string[]): Promise<boolean> =>
    (await cluster.rafterKubectl.run(["auth", "can-i", ...args], { allowFailure: true })).stdout.trim() ===
    "yes";
  const granted: [string, ...string[]][] = [
    ["create", "virtualnodes.rafter.dev"],
    ["patch", "virtualnodes.rafter.dev", "--subresource=status"],
    ["watch", "nodepools.rafter.dev"],
    ["create", "nodes"],
    ["delete", "nodes"],
    ["create", "pods", "--subresource=binding", "-n", "default"],
    ["create", "bindings", "-n", "default"],
    ["create", "pods", "--subresource=eviction", "-n", "default"],
    ["list", "poddisruptionbudgets.policy", "-A"],
    ["update", "leases.coordination.k8s.io", "-n", "kube-system"],
  ];
  for (const args of granted) assert.ok(await can(...args), `rafter should be allowed: ${args.join(" ")}`);
  const denied: [string, ...string[]][] = [
    ["*", "*"],
    ["create", "pods", "-n", "default"],
    ["get", "secrets", "-n", "kube-system"],
    ["create", "clusterrolebindings"],
    ["update", "leases.coordination.k8s.io", "-n", "default"],
  ];
  for (const args of denied) assert.ok(!(await can(...args)), `rafter should be denied: ${args.join(" ")}`);
});
