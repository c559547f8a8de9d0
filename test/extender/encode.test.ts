import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeHostPriorityList } from "../../src/extender/encode.js";

describe("encodeHostPriorityList", () => {
  it("produces what JSON.stringify would, escaping unusual names", () => {
    const list = [
      { Host: "ip-10-0-0-1.ec2.internal", Score: 10 },
      { Host: 'we"ird\\name\n', Score: 0 },
      { Host: "ünï", Score: 3 },
    ];
    assert.equal(encodeHostPriorityList(list), JSON.stringify(list));
    assert.deepEqual(JSON.parse(encodeHostPriorityList(list)), list);
    assert.equal(encodeHostPriorityList([]), "[]");
  });
});
