// Bearer-token identities of the local cluster (kube-apiserver's --token-auth-file) and the
// kubeconfig files that carry them.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { stringify } from "yaml";

export interface Identity {
  readonly user: string;
  readonly token: string;
  readonly groups: readonly string[];
}

/** Namespace and name of rafter's ServiceAccount in manifests/rbac. */
export const RAFTER_SERVICE_ACCOUNT = { namespace: "kube-system", name: "rafter" } as const;

export interface Identities {
  /** The harness: cluster-admin through system:masters. */
  readonly admin: Identity;
  /** kube-controller-manager and kube-scheduler: the users their built-in RBAC bindings name. */
  readonly controllerManager: Identity;
  readonly scheduler: Identity;
  /**
   * rafter: authenticates as its ServiceAccount (so the ClusterRoleBinding of manifests/rbac applies)
   * and belongs to no privileged group.
   */
  readonly rafter: Identity;
}

const token = (): string => randomBytes(24).toString("hex");

export function createIdentities(): Identities {
  const sa = RAFTER_SERVICE_ACCOUNT;
  return {
    admin: { user: "e2e-admin", token: token(), groups: ["system:masters"] },
    controllerManager: { user: "system:kube-controller-manager", token: token(), groups: [] },
    scheduler: { user: "system:kube-scheduler", token: token(), groups: [] },
    rafter: {
      user: `system:serviceaccount:${sa.namespace}:${sa.name}`,
      token: token(),
      groups: ["system:serviceaccounts", `system:serviceaccounts:${sa.namespace}`],
    },
  };
}

/** kube-apiserver --token-auth-file lines: token,user,uid,"group1,group2". */
export function tokenAuthFile(identities: Identities): string {
  return (
    Object.values(identities)
      .map((id: Identity) => `${id.token},${id.user},${id.user},"${id.groups.join(",")}"`)
      .join("\n") + "\n"
  );
}

export function writeKubeconfig(path: string, server: string, caFile: string, identity: Identity): void {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "rafter-e2e", cluster: { server, "certificate-authority": caFile } }],
    users: [{ name: identity.user, user: { token: identity.token } }],
    contexts: [{ name: "rafter-e2e", context: { cluster: "rafter-e2e", user: identity.user } }],
    "current-context": "rafter-e2e",
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
}
