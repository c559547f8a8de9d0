// Catalogue memoisation must be invisible: the same catalogue object planned again (a memo hit)
// gives the same plan as a fresh copy of the catalogue (a miss), and every other input of the
// memoised pool compilation (unavailable offerings, DaemonSets, pod resources) still takes effect.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { offeringKey } from "../../src/catalog/types.js";
import { plan } from "../../src/planner/planner.js";
import { daemonSet, pod, smallCatalog, snapshot } from "./support/builders.js";

const pods = Array.from({ length: 12 }, (_, i) =>
  pod(`p${i}`, { cpu: i % 2 ? "1500m" : "250m", memory: i % 2 ? "1Gi" : "6Gi" }),
);

describe("planner catalogue memo", () => {
  it("plans identically on a memo hit and on a fresh catalogue", () => {
    const catalog = smallCatalog();
    const first = plan(snapshot({ catalog, pendingPods: pods }));
    const hit = plan(snapshot({ catalog, pendingPods: pods }));
    const fresh = plan(snapshot({ catalog: smallCatalog(), pendingPods: pods }));
    assert.deepEqual(hit, first);
    assert.deepEqual(fresh, first);
  });

  it("sees unavailable offerings that change between calls on the same catalogue", () => {
    const catalog = smallCatalog();
    const before = plan(snapshot({ catalog, pendingPods: pods }));
    const cheapest = before.newNodes[0]?.instanceTypes[0];
    assert.ok(cheapest);
    const unavailable = new Set(
      ["zone-a", "zone-b", "zone-c"].flatMap((z) => [
        offeringKey(cheapest, z, "on-demand"),
        offeringKey(cheapest, z, "spot"),
      ]),
    );
    const after = plan(snapshot({ catalog, pendingPods: pods, unavailableOfferings: unavailable }));
    for (const n of after.newNodes) assert.ok(!n.instanceTypes.includes(cheapest));
  });

  it("sees DaemonSets and extra pod resources added on the same catalogue", () => {
    const catalog = smallCatalog();
    plan(snapshot({ catalog, pendingPods: pods }));
    const ds = plan(
      snapshot({ catalog, pendingPods: pods, daemonSets: [daemonSet("agent", "1500m", "256Mi")] }),
    );
    const freshDs = plan(
      snapshot({
        catalog: smallCatalog(),
        pendingPods: pods,
        daemonSets: [daemonSet("agent", "1500m", "256Mi")],
      }),
    );
    assert.deepEqual(ds, freshDs);
    const gpu = [...pods, pod("g", { extra: { "example.com/widget": "1" } })];
    assert.deepEqual(
      plan(snapshot({ catalog, pendingPods: gpu })),
      plan(snapshot({ catalog: smallCatalog(), pendingPods: gpu })),
    );
  });
});
