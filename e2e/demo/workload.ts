// The demo's workload: four Deployments, 40 pods, with mixed requests and constraints that send them
// to different NodePools and instance shapes.
import type { KubeObject } from "../cluster/kubectl.js";

interface DeploymentSpec {
  readonly name: string;
  readonly replicas: number;
  readonly cpu: string;
  readonly memory: string;
  readonly extra?: Record<string, unknown>;
}

function deployment(namespace: string, spec: DeploymentSpec): KubeObject {
  const labels = { app: spec.name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: spec.name, namespace, labels },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [
            {
              name: "main",
              image: "registry.k8s.io/pause:3.10",
              resources: { requests: { cpu: spec.cpu, memory: spec.memory } },
            },
          ],
          ...spec.extra,
        },
      },
    },
  };
}

const hostnameAntiAffinity = (app: string, required: boolean): Record<string, unknown> => {
  const term = { labelSelector: { matchLabels: { app } }, topologyKey: "kubernetes.io/hostname" };
  return {
    podAntiAffinity: required
      ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
      : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term }] },
  };
};

export function demoWorkload(namespace: string): KubeObject[] {
  return [
    // many small replicas spread evenly over zones
    deployment(namespace, {
      name: "web",
      replicas: 20,
      cpu: "250m",
      memory: "512Mi",
      extra: {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { app: "web" } },
          },
        ],
      },
    }),
    // mid-sized, amd64 only, preferably one per node
    deployment(namespace, {
      name: "api",
      replicas: 8,
      cpu: "1",
      memory: "2Gi",
      extra: {
        nodeSelector: { "kubernetes.io/arch": "amd64" },
        affinity: hostnameAntiAffinity("api", false),
      },
    }),
    // batch work that tolerates the spot pool's taint and asks for it
    deployment(namespace, {
      name: "batch",
      replicas: 8,
      cpu: "2",
      memory: "4Gi",
      extra: {
        nodeSelector: { "workload-class": "batch" },
        tolerations: [{ key: "workload-class", operator: "Equal", value: "batch", effect: "NoSchedule" }],
      },
    }),
    // memory-heavy, strictly one per node
    deployment(namespace, {
      name: "cache",
      replicas: 4,
      cpu: "500m",
      memory: "6Gi",
      extra: { affinity: hostnameAntiAffinity("cache", true) },
    }),
  ];
}
