// The kustomize base (manifests/kustomization.yaml) against the code: it lists every generated CRD, the
// second scheduler's configuration is the shipped one with only the Deployment's changes, and rafter's
// Deployment uses flags, variables and ports that `rafter run` really has.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { envName, settings } from "../../src/config.js";

const root = new URL("../../manifests/", import.meta.url).pathname;
const read = (path: string): string => readFileSync(join(root, path), "utf8");

interface Kustomization {
  resources: string[];
  configMapGenerator: { name: string; literals?: string[]; files?: string[] }[];
}
const kustomization = parse(read("kustomization.yaml")) as Kustomization;

interface SchedulerConfig {
  clientConnection?: Record<string, unknown>;
  leaderElection?: Record<string, unknown>;
  profiles?: { schedulerName: string }[];
  extenders?: Record<string, unknown>[];
}

interface Container {
  args?: string[];
  env?: { name: string }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
}
interface Deployment {
  kind: string;
  metadata: { name: string };
  spec: { template: { spec: { serviceAccountName: string; containers: Container[] } } };
}

describe("kustomize base (manifests/kustomization.yaml)", () => {
  it("lists every CRD that npm run gen:crds writes, and only files that exist", () => {
    for (const crd of readdirSync(join(root, "crds")).filter((f) => f.endsWith(".yaml")))
      assert.ok(kustomization.resources.includes(`crds/${crd}`), `crds/${crd} is not in the base`);
    for (const resource of kustomization.resources)
      assert.ok(existsSync(join(root, resource)), `${resource} does not exist`);
  });

  it("runs the second scheduler with the shipped configuration, changed only where a Deployment must", () => {
    const shipped = parse(read("scheduler/kube-scheduler-config.yaml")) as SchedulerConfig;
    const second = parse(read("second-scheduler/kube-scheduler-config.yaml")) as SchedulerConfig;
    const { kubeconfig: _dropped, ...connection } = shipped.clientConnection ?? {};
    const expected: SchedulerConfig = {
      ...shipped,
      clientConnection: connection,
      leaderElection: {
        ...shipped.leaderElection,
        resourceName: "rafter-scheduler",
        resourceNamespace: "kube-system",
      },
      profiles: [{ schedulerName: "rafter-scheduler" }],
    };
    assert.deepEqual(second, expected);
    const generator = kustomization.configMapGenerator.find((g) => g.name === "rafter-scheduler-config");
    assert.deepEqual(generator?.files, [
      "kube-scheduler-config.yaml=second-scheduler/kube-scheduler-config.yaml",
    ]);
  });

  it("gives the second scheduler the Lease its Role grants", () => {
    const rbac = parseAllDocuments(read("rbac/scheduler.yaml")).map(
      (d) => d.toJS() as { kind: string; rules?: { resourceNames?: string[] }[] },
    );
    const names = rbac
      .flatMap((o) => (o.kind === "Role" ? (o.rules ?? []) : []))
      .flatMap((r) => r.resourceNames ?? []);
    assert.ok(names.includes("rafter-scheduler"));
  });

  it("configures rafter with flags and RAFTER_* variables that rafter run knows, probes on its metrics port", () => {
    const deployment = parseAllDocuments(read("deploy/rafter.yaml"))
      .map((d) => d.toJS() as Deployment)
      .find((o) => o.kind === "Deployment");
    assert.ok(deployment);
    assert.equal(deployment.spec.template.spec.serviceAccountName, "rafter");
    const container = deployment.spec.template.spec.containers[0]!;
    const flags = new Set(Object.values(settings).map((s) => s.flag));
    const variables = new Set(Object.values(settings).map((s) => envName(s.flag)));
    const [command, ...args] = container.args ?? [];
    assert.equal(command, "run");
    for (const arg of args) {
      const flag = /^--([a-z-]+)=/.exec(arg)?.[1];
      assert.ok(flag !== undefined && flags.has(flag), `unknown flag ${arg}`);
    }
    for (const { name } of container.env ?? []) assert.ok(variables.has(name), `unknown variable ${name}`);
    const literals =
      kustomization.configMapGenerator.find((g) => g.name === "rafter-settings")?.literals ?? [];
    assert.ok(literals.length > 0);
    for (const literal of literals) {
      const name = literal.split("=")[0]!;
      assert.ok(variables.has(name), `rafter-settings: unknown variable ${name}`);
    }
    const ports = new Map((container.ports ?? []).map((p) => [p.name, p.containerPort]));
    assert.equal(ports.get("http-metrics"), settings.metricsPort.default);
    assert.equal(ports.get("https-extender"), settings.extenderPort.default);
    assert.deepEqual(container.livenessProbe?.httpGet, { path: "/healthz", port: "http-metrics" });
    assert.deepEqual(container.readinessProbe?.httpGet, { path: "/readyz", port: "http-metrics" });
  });

  it("points the shipped scheduler configuration at the Service's port", () => {
    const shipped = parse(read("scheduler/kube-scheduler-config.yaml")) as SchedulerConfig;
    assert.equal(
      shipped.extenders?.[0]?.urlPrefix,
      `https://rafter.kube-system.svc:${settings.extenderPort.default}`,
    );
  });
});
