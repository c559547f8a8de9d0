// Scale-in: a Deployment of 100 pods (a PodDisruptionBudget of maxUnavailable 3) scaled to 30 leaves
// nodes empty or under-utilised; rafter removes and consolidates them (emptiness, delete and replace
// moves) until the capacity settles. The hourly cost before and after is printed and compared with
// the planner's LP lower bound for the 30 remaining pods (`rafter plan` on the same NodePool); no PDB
// violation is allowed.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { KubeObject } from "../cluster/kubectl.js";
import { kwokManaged, loadExample } from "../harness/examples.js";
import { watchPdb } from "../harness/lifecycle.js";
import { scenario } from "../harness/scenario.js";
import {
  cleanupCapacity,
  deployment,
  podsIn,
  virtualNodes,
  type VirtualNodeJson,
} from "../harness/provisioning.js";

const request = { cpu: "1", memory: "2Gi" };
const settledPhases = new Set(["Ready"]);

const liveCost = (vns: readonly VirtualNodeJson[]) =>
  vns
    .filter((v) => v.status?.phase !== "Failed" && v.status?.phase !== "Planned")
    .reduce((sum, v) => sum + Number(v.status?.price ?? 0), 0);

/** The planner's lower bound for `replicas` pending pods of the workload on an empty cluster. */
function lowerBound(repoRoot: string, objects: readonly KubeObject[], replicas: number): number {
  const dir = mkdtempSync(join(tmpdir(), "rafter-bound-"));
  try {
    const pods = Array.from({ length: replicas }, (_, i) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `web-${i}`, namespace: "default", labels: { app: "web" } },
      spec: { containers: [{ name: "main", image: "pause", resources: { requests: request } }] },
    }));
    const file = join(dir, "workload.yaml");
    writeFileSync(file, [...objects, ...pods].map((o) => stringify(o)).join("---\n"));
    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", join(repoRoot, "src", "cli", "main.ts"), "plan", "-f", file, "-o", "json"],
      { cwd: repoRoot, encoding: "utf8" },
    );
    return (JSON.parse(out) as { lowerBound: number }).lowerBound;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

scenario(
  "scaling a Deployment 100 → 30 removes and consolidates nodes, near the lower bound, without PDB violations",
  { needsRafter: true, timeoutMs: 600_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    // consolidateAfter 10s so that the scenario does not wait a minute per step.
    const objects = ["ec2nodeclass.yaml", "nodepool-general.yaml"].flatMap((f) =>
      loadExample(repoRoot, f).map(kwokManaged),
    );
    for (const object of objects) {
      if (object.kind !== "NodePool") continue;
      const spec = object.spec as { disruption?: Record<string, unknown> };
      spec.disruption = {
        consolidationPolicy: "WhenEmptyOrUnderutilized",
        consolidateAfter: "10s",
        budgets: [{ nodes: "50%" }],
      };
    }
    await cluster.kubectl.apply(objects);
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply([
      deployment("web", 100, request),
      {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: "web" },
        spec: { maxUnavailable: 3, selector: { matchLabels: { app: "web" } } },
      },
    ]);
    await eventually(
      "100 pods Running",
      async () =>
        (await podsIn(kubectl, "app=web")).filter((p) => p.status.phase === "Running").length === 100,
      240_000,
    );
    const start = await virtualNodes(cluster);
    const before = liveCost(start);
    const bound100 = lowerBound(repoRoot, objects, 100);
    t.log(
      `100 pods: ${start.length} nodes, $${before.toFixed(4)}/h (lower bound $${bound100.toFixed(4)}, ` +
        `${(before / bound100).toFixed(2)}×)`,
    );

    const pdb = watchPdb(kubectl, "web");
    await kubectl.run(["scale", "deployment/web", "--replicas=30"]);
    // Settled: every VirtualNode Ready and the set unchanged for 40 s (longer than consolidateAfter
    // plus the validation delay), so that no further move is pending.
    let last = "";
    let stableSince = Date.now();
    const settled = await eventually(
      "capacity to settle after the scale-in",
      async () => {
        const vns = await virtualNodes(cluster);
        const key = vns
          .map((v) => `${v.metadata.name}:${v.status?.phase ?? ""}`)
          .sort()
          .join(",");
        if (key !== last) {
          last = key;
          stableSince = Date.now();
        }
        const quiet = vns.every((v) => settledPhases.has(v.status?.phase ?? ""));
        return quiet && Date.now() - stableSince >= 40_000 ? vns : undefined;
      },
      420_000,
    );
    const { violations, samples, lowestHealthy } = await pdb.stop();
    const after = liveCost(settled);
    const bound30 = lowerBound(repoRoot, objects, 30);
    const types = settled.map((v) => v.status?.instanceType ?? "?").join(",");
    t.log(
      `after scale-in to 30: ${settled.length} nodes (${types}), $${after.toFixed(4)}/h; lower bound ` +
        `$${bound30.toFixed(4)}, ${(after / bound30).toFixed(2)}×; PDB samples ${samples}, lowest healthy ` +
        `${lowestHealthy}, violations ${violations}`,
    );
    assert.equal(violations, 0, "no PDB violation observed");
    assert.ok(after < before, "cheaper after scale-in");
    assert.ok(
      after <= bound30 * 1.5,
      `within 1.5× the lower bound after consolidation (${after} vs ${bound30})`,
    );
    assert.equal((await podsIn(kubectl, "app=web")).filter((p) => p.status.phase === "Running").length, 30);
  },
);
