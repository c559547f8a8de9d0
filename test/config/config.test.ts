import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, envName, resolveConfig } from "../../src/config.js";

describe("resolveConfig", () => {
  it("documents defaults and freezes the result", () => {
    const config = resolveConfig({}, {});
    assert.equal(config.batchIdle, 1000);
    assert.equal(config.batchMax, 10_000);
    assert.equal(config.extenderPort, 8443);
    assert.equal(config.leaderElect, true);
    assert.ok(Object.isFrozen(config));
  });

  it("takes flags over RAFTER_* variables over defaults", () => {
    const config = resolveConfig(
      { "batch-idle": "250ms" },
      { RAFTER_BATCH_IDLE: "2s", RAFTER_REGION: "eu-west-1" },
    );
    assert.equal(config.batchIdle, 250);
    assert.equal(config.region, "eu-west-1");
    assert.equal(envName("batch-idle"), "RAFTER_BATCH_IDLE");
  });

  const invalid: [Record<string, string>, RegExp][] = [
    [{ "batch-idle": "banana" }, /--batch-idle: "banana" is not a duration/],
    [{ "extender-port": "70000" }, /--extender-port: "70000" is not a port/],
    [{ "leader-elect": "maybe" }, /--leader-elect: "maybe" is not a boolean/],
    [{ "log-level": "loud" }, /--log-level: "loud" must be one of/],
    [{ cloud: "gcp" }, /--cloud: "gcp" must be one of aws, simulated/],
    [{ "batch-idle": "20s", "batch-max": "10s" }, /--batch-idle .* must not exceed --batch-max/],
    [{ "tls-cert-file": "/tmp/cert.pem" }, /must be given together/],
    [{ "cluster-name": " " }, /--cluster-name must not be empty/],
  ];
  for (const [flags, message] of invalid) {
    it(`rejects ${JSON.stringify(flags)} with one clear message`, () => {
      assert.throws(
        () => resolveConfig(flags, {}),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    });
  }
});
