// Failpoints crash at exactly the step they name, once; a misspelt step is an error, not a no-op.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import { failpointFrom } from "../src/failpoint.js";

const logger = pino({ level: "silent" });

describe("failpointFrom", () => {
  it("is off when unset", () => {
    assert.equal(failpointFrom(undefined, logger), undefined);
    assert.equal(failpointFrom("", logger), undefined);
  });

  it("crashes at the named step only, once", () => {
    let crashes = 0;
    const failpoint = failpointFrom("node-created", logger, () => crashes++);
    assert.ok(failpoint);
    failpoint("before-launch");
    failpoint("instance-launched");
    assert.equal(crashes, 0);
    failpoint("node-created");
    failpoint("node-created");
    assert.equal(crashes, 1);
  });

  it("rejects an unknown step", () => {
    assert.throws(() => failpointFrom("after-lunch", logger), /unknown step "after-lunch"/);
  });
});
