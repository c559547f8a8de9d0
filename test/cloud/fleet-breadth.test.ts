// Fleet breadth: a launch offers EC2 up to 60 instance types, each in every allowed zone, and never
// more type × zone pairs than CreateFleet takes (300).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { InstanceType } from "../../src/catalog/types.js";
import { launchOptions, maxLaunchInstanceTypes, maxLaunchOptions } from "../../src/cloud/launch-options.js";
import { virtualNode } from "./fixtures.js";

const zones = ["a", "b", "c", "d", "e", "f"].map((z) => `us-east-1${z}`);

function catalogOf(count: number, zoneCount: number): Map<string, InstanceType> {
  const catalog = new Map<string, InstanceType>();
  for (let i = 0; i < count; i++) {
    const name = `t${i}.large`;
    catalog.set(name, {
      name,
      labels: {},
      capacity: {},
      allocatable: {},
      offerings: zones.slice(0, zoneCount).map((zone, z) => ({
        zone,
        capacityType: "on-demand" as const,
        price: 0.1 + i / 1000 + z / 100_000,
        available: true,
      })),
    });
  }
  return catalog;
}

describe("launch options (CreateFleet breadth)", () => {
  it("stops at 300 type × zone pairs: 50 types in all 6 zones", () => {
    const catalog = catalogOf(80, 6);
    const choice = launchOptions(virtualNode("vn", [...catalog.keys()]), catalog, new Set());
    assert.ok(choice);
    assert.equal(choice.options.length, maxLaunchOptions);
    // 300 pairs / 6 zones: the 50 types the planner put first, each in every zone.
    const types = new Set(choice.options.map((o) => o.instanceType));
    assert.equal(types.size, 50);
    for (const type of types)
      assert.equal(choice.options.filter((o) => o.instanceType === type).length, 6, type);
  });

  it("offers 60 instance types × 3 zones (180 pairs), the old cap of 60 pairs gave 20 types", () => {
    const catalog = catalogOf(80, 3);
    const choice = launchOptions(virtualNode("vn", [...catalog.keys()]), catalog, new Set());
    assert.ok(choice);
    const types = [...new Set(choice.options.map((o) => o.instanceType))];
    assert.equal(types.length, maxLaunchInstanceTypes);
    assert.deepEqual(types, [...catalog.keys()].slice(0, 60), "the planner's order is kept");
    assert.equal(choice.options.length, 180);
  });

  it("keeps every zone of a type when the types are few", () => {
    const catalog = catalogOf(10, 6);
    const choice = launchOptions(virtualNode("vn", [...catalog.keys()]), catalog, new Set());
    assert.equal(choice?.options.length, 60);
  });
});
