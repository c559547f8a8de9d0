import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { resolveAlias } from "../../src/cloud/aws/ami-aliases.js";

const parameters: Record<string, string> = {
  "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64": "ami-x86",
  "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64": "ami-arm",
};
const read = (name: string) => Promise.resolve(parameters[name]);

describe("AMI aliases", () => {
  it("resolve al2023@latest to one image per architecture through SSM parameters", async () => {
    const result = await resolveAlias("al2023@latest", read);
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.map((image) => [image.architecture, image.id]),
      [
        ["amd64", "ami-x86"],
        ["arm64", "ami-arm"],
      ],
    );
  });

  it("explain what cannot be resolved", async () => {
    const pinned = await resolveAlias("al2023@v20240807", read);
    assert.ok(!pinned.ok && pinned.error.includes("only @latest"));
    const unknown = await resolveAlias("windows2022@latest", read);
    assert.ok(!unknown.ok && unknown.error.includes("no public image parameters"));
    const missing = await resolveAlias("al2@latest", read);
    assert.ok(!missing.ok && missing.error.includes("no image parameter found"));
  });
});
