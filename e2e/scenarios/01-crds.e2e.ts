// The CRDs of manifests/crds are served by a real kube-apiserver: they are Established, the shipped
// examples pass server-side validation, and every invalid example of test/fixtures/invalid is rejected
// with a validation error (schema or CEL), not accepted and not failing for another reason.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { scenario } from "../harness/scenario.js";

const CRDS = ["nodepools.rafter.dev", "ec2nodeclasses.rafter.dev", "virtualnodes.rafter.dev"];

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => join(dir, f));

scenario("the CRDs apply and are established", async ({ cluster, repoRoot }) => {
  const applied = await cluster.kubectl.applyFile(join(repoRoot, "manifests", "crds"));
  for (const crd of CRDS) assert.match(applied, new RegExp(crd.replace(".", "\\.")));
  await cluster.kubectl.run([
    "wait",
    "--for=condition=Established",
    "--timeout=30s",
    ...CRDS.map((c) => `crd/${c}`),
  ]);
  const resources = (await cluster.kubectl.run(["api-resources", "--api-group=rafter.dev", "-o", "name"]))
    .stdout;
  for (const crd of CRDS) assert.ok(resources.includes(crd), `api-resources lacks ${crd}:\n${resources}`);
});

scenario("the shipped examples pass server-side validation", async ({ cluster, repoRoot }) => {
  for (const file of yamlFiles(join(repoRoot, "manifests", "examples"))) {
    const result = await cluster.kubectl.run(["apply", "--dry-run=server", "-f", file], {
      allowFailure: true,
    });
    assert.equal(result.code, 0, `${file} was rejected: ${result.stderr}`);
  }
});

scenario("the invalid examples are rejected by the API server", async ({ cluster, repoRoot }) => {
  const files = yamlFiles(join(repoRoot, "test", "fixtures", "invalid"));
  assert.ok(files.length > 0, "no invalid examples in test/fixtures/invalid");
  const accepted: string[] = [];
  for (const file of files) {
    const result = await cluster.kubectl.run(["create", "--dry-run=server", "-f", file], {
      allowFailure: true,
    });
    // kube-apiserver answers 422 Invalid for schema and x-kubernetes-validations (CEL) failures
    if (result.code === 0) accepted.push(file);
    else
      assert.match(
        result.stderr,
        /is invalid|Invalid value|Required value|Unsupported value|Too many|must/i,
        `${file}: ${result.stderr}`,
      );
  }
  assert.deepEqual(accepted, [], `accepted by the API server although invalid: ${accepted.join(", ")}`);
});
