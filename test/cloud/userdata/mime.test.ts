import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseMediaType, readMultipart, writeMultipart } from "../../../src/cloud/userdata/mime.js";

describe("MIME multipart user data", () => {
  it("reads back what it writes, whatever the bodies hold", () => {
    const body = fc.string({ maxLength: 200 }).map((s) => s.replace(/\r/g, "").replace(/\n+$/, ""));
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ contentType: fc.constantFrom("text/x-shellscript", "application/node.eks.aws"), body }),
          {
            maxLength: 5,
          },
        ),
        (generated) => {
          const parts = generated.map((part) => ({ ...part })); // plain objects, as the reader returns
          assert.deepEqual(readMultipart(writeMultipart(parts)), parts);
        },
      ),
    );
  });

  it("chooses a boundary no body contains", () => {
    const parts = [{ contentType: "text/plain", body: "--//rafter-boundary\nsneaky" }];
    const text = writeMultipart(parts);
    assert.match(text, /boundary="\/\/rafter-boundary-1"/);
    assert.deepEqual(readMultipart(text), parts);
  });

  it("reads a foreign document: CRLF, folded headers, preamble, epilogue", () => {
    const text = [
      "Content-Type: multipart/mixed;",
      ' boundary="==abc=="',
      "MIME-Version: 1.0",
      "",
      "preamble",
      "--==abc==",
      "Content-Type: text/x-shellscript",
      "",
      "#!/bin/sh",
      "echo 1",
      "--==abc==--",
      "epilogue",
    ].join("\r\n");
    assert.deepEqual(readMultipart(text), [{ contentType: "text/x-shellscript", body: "#!/bin/sh\necho 1" }]);
  });

  it("says when a text is not multipart", () => {
    assert.equal(readMultipart("#!/bin/bash\necho"), undefined);
    assert.equal(readMultipart("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"), undefined);
    assert.equal(readMultipart("Content-Type: text/plain\n\nhello"), undefined);
    assert.deepEqual(parseMediaType('multipart/mixed; boundary="x"'), {
      type: "multipart/mixed",
      params: { boundary: "x" },
    });
  });
});
