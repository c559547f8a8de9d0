// Which do-not-disrupt annotation is in force: rafter's "true", Karpenter's "true", and Karpenter's
// duration form, in force until the pod has run that long.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { doNotDisruptKey } from "../../../src/controllers/lifecycle/pods.js";

const started = Date.parse("2026-01-01T00:00:00Z");
const pod = (annotations: Record<string, string>, startTime?: string) => ({
  metadata: { annotations },
  ...(startTime === undefined ? {} : { status: { startTime } }),
});

describe("do-not-disrupt", () => {
  it("honours rafter's and Karpenter's 'true', and nothing else without a duration", () => {
    assert.equal(
      doNotDisruptKey(pod({ "rafter.dev/do-not-disrupt": "true" }), started),
      "rafter.dev/do-not-disrupt",
    );
    assert.equal(
      doNotDisruptKey(pod({ "karpenter.sh/do-not-disrupt": "true" }), started),
      "karpenter.sh/do-not-disrupt",
    );
    assert.equal(doNotDisruptKey(pod({ "karpenter.sh/do-not-disrupt": "false" }), started), undefined);
    assert.equal(doNotDisruptKey(pod({ "rafter.dev/do-not-disrupt": "5m" }), started), undefined);
    assert.equal(doNotDisruptKey(pod({}), started), undefined);
  });

  it("keeps Karpenter's duration form in force until the pod has run that long", () => {
    const guarded = pod({ "karpenter.sh/do-not-disrupt": "30m" }, "2026-01-01T00:00:00Z");
    assert.equal(doNotDisruptKey(guarded, started + 29 * 60_000), "karpenter.sh/do-not-disrupt");
    assert.equal(doNotDisruptKey(guarded, started + 30 * 60_000), undefined);
    // No start time yet (not running): in force, as Karpenter does.
    assert.equal(
      doNotDisruptKey(pod({ "karpenter.sh/do-not-disrupt": "30m" }), started),
      "karpenter.sh/do-not-disrupt",
    );
  });
});
