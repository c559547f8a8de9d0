// Durations as rafter reads them (Go's syntax) and writes them for people (the flag reference).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDuration, parseDuration } from "../../src/domain/duration.js";

describe("durations", () => {
  it("reads Go durations, compound ones included", () => {
    assert.equal(parseDuration("1h30m"), 5_400_000);
    assert.equal(parseDuration("500ms"), 500);
    assert.equal(parseDuration("0"), 0);
    assert.equal(parseDuration("10"), undefined, "a unit is required");
    assert.equal(parseDuration("1d"), undefined, "Go has no day unit");
  });

  it("writes a duration in its largest exact unit, and reads back what it writes", () => {
    const cases: [number, string][] = [
      [1_800_000, "30m"],
      [3_600_000, "1h"],
      [5_400_000, "90m"],
      [15_000, "15s"],
      [1_500, "1500ms"],
      [0, "0ms"],
    ];
    for (const [ms, text] of cases) {
      assert.equal(formatDuration(ms), text);
      assert.equal(parseDuration(text), ms);
    }
  });
});
