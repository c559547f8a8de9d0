// The Helm chart (charts/rafter) is generated from the kustomize base and renders the same objects:
// helm (built from its Go module by scripts/install-helm.sh) lints it and templates it, and with
// default values the result equals `kubectl kustomize manifests`, object for object.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { envName, settings } from "../../src/config.js";

const lastLine = (text: string): string => text.trim().split("\n").at(-1) ?? "";
const run = (command: string, args: string[]): string =>
  execFileSync(command, args, { encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "pipe"] });

const helm = lastLine(run("scripts/install-helm.sh", []));
const kubectl = `${lastLine(run("e2e/toolchain.sh", []))}/bin/kubectl`;

type Json = Record<string, unknown>;
interface KubeObject {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: Json;
  data?: Record<string, string>;
}

function objects(yaml: string): KubeObject[] {
  return parseAllDocuments(yaml)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

const key = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** kustomize's configMapGenerator names ConfigMaps <name>-<content hash>, everywhere they are used. */
function withoutGeneratorHashes(text: string): string {
  return text.replace(/\b(rafter-settings|rafter-scheduler-config)-[a-z0-9]{10}\b/g, "$1");
}

function template(...set: string[]): KubeObject[] {
  return objects(
    run(helm, [
      "template",
      "rafter",
      "charts/rafter",
      "--namespace",
      "kube-system",
      ...set.flatMap((s) => ["--set", s]),
    ]),
  );
}

const byKey = (list: KubeObject[]): Map<string, KubeObject> => new Map(list.map((o) => [key(o), o]));

describe("Helm chart charts/rafter", () => {
  it("is what scripts/gen-chart.ts generates from the kustomize base", () => {
    const check = spawnSync(process.execPath, ["--import", "tsx", "scripts/gen-chart.ts", "--check"], {
      encoding: "utf8",
    });
    assert.equal(check.status, 0, check.stderr);
  });

  it("passes helm lint", () => {
    const lint = spawnSync(helm, ["lint", "charts/rafter"], { encoding: "utf8" });
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);
    assert.match(lint.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it("renders with default values exactly the objects kubectl kustomize renders from manifests/", () => {
    const chart = objects(
      run(helm, ["template", "rafter", "charts/rafter", "--namespace", "kube-system", "--include-crds"]),
    );
    const base = objects(withoutGeneratorHashes(run(kubectl, ["kustomize", "manifests"])));
    assert.deepEqual([...byKey(chart).keys()].sort(), [...byKey(base).keys()].sort());
    const chartObjects = byKey(chart);
    for (const object of base) assert.deepEqual(chartObjects.get(key(object)), object, key(object));
    assert.ok(base.length >= 20, `${base.length} objects`);
  });

  it("takes replicas, image, resources, IRSA annotations, settings, TLS and the second scheduler from values", () => {
    const rendered = byKey(
      template(
        "rafter.replicas=3",
        "rafter.image.repository=registry.example/rafter",
        "rafter.resources.requests.cpu=500m",
        "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::111122223333:role/rafter",
        "settings.cluster-name=prod",
        "settings.log-level=debug",
        "tls.certManager=true",
        "secondScheduler.enabled=false",
      ),
    );
    const deployment = rendered.get("Deployment/kube-system/rafter") as KubeObject & {
      spec: { replicas: number; template: { spec: { containers: { image: string; resources: Json }[] } } };
    };
    assert.equal(deployment.spec.replicas, 3);
    assert.equal(deployment.spec.template.spec.containers[0]?.image, "registry.example/rafter:0.1.0");
    assert.deepEqual(deployment.spec.template.spec.containers[0].resources.requests, {
      cpu: "500m",
      memory: "512Mi",
    });
    assert.deepEqual(rendered.get("ServiceAccount/kube-system/rafter")?.metadata.annotations, {
      "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/rafter",
    });
    assert.deepEqual(rendered.get("ConfigMap/kube-system/rafter-settings")?.data, {
      RAFTER_CLUSTER_NAME: "prod",
      RAFTER_REGION: "us-east-1",
      RAFTER_CLOUD: "aws",
      RAFTER_INTERRUPTION_QUEUE: "",
      RAFTER_LOG_LEVEL: "debug",
    });
    assert.ok(
      [...rendered.keys()].some((k) => k.startsWith("Certificate/kube-system/")),
      "cert-manager Certificate",
    );
    assert.equal(rendered.get("Deployment/kube-system/rafter-scheduler"), undefined);
    assert.equal(rendered.get("ConfigMap/kube-system/rafter-scheduler-config"), undefined);
  });

  it("offers every rafter run setting the Deployment does not fix itself", () => {
    const values = objects(run(helm, ["show", "values", "charts/rafter"]))[0] as unknown as {
      settings: Record<string, unknown>;
    };
    const deployment = template().find((o) => key(o) === "Deployment/kube-system/rafter") as unknown as {
      spec: { template: { spec: { containers: { env: { name: string }[]; args: string[] }[] } } };
    };
    const container = deployment.spec.template.spec.containers[0];
    const fixed = (flag: string): boolean =>
      (container?.env.some((e) => e.name === envName(flag)) ?? false) ||
      (container?.args.some((a) => a.startsWith(`--${flag}=`)) ?? false);
    for (const { flag } of Object.values(settings))
      assert.ok(
        fixed(flag) !== flag in values.settings,
        `${flag}: offered ${String(flag in values.settings)}, fixed ${String(fixed(flag))}`,
      );
  });
});
