// The pure parts of the real-node harness: which mounts belong to a node, the ENI pod limit the
// instance "boots" with, and the tar/OCI archive the images are imported from.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { mountsUnder } from "../../e2e/node/host-cleanup.js";
import { ociArchive } from "../../e2e/node/oci-image.js";
import { eniMaxPods } from "../../e2e/node/real-nodes.js";
import { tar } from "../../e2e/node/tar.js";

/** Reads a ustar archive back: name → data (regular files), for checking what was written. */
function untar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let offset = 0; offset + 512 <= archive.length;) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.toString("utf8", 0, 100).replace(/\0.*$/s, "");
    const size = parseInt(header.toString("ascii", 124, 135), 8);
    const stored = parseInt(header.toString("ascii", 148, 154), 8);
    let sum = 0;
    for (const [i, byte] of header.entries()) sum += i >= 148 && i < 156 ? 32 : byte;
    assert.equal(stored, sum, `checksum of ${name}`);
    if (header.toString("ascii", 156, 157) === "0")
      files.set(name, archive.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

describe("real-node harness", () => {
  it("finds a node's mounts, deepest first, and nobody else's", () => {
    const mountinfo = [
      "22 1 8:1 / / rw - ext4 /dev/vda rw",
      "90 22 0:50 / /tmp/rafter-node-a/kubelet/pods/x/volumes/kube-api-access rw - tmpfs tmpfs rw",
      "91 22 0:51 / /tmp/rafter-node-a/containerd/state/sandboxes/1/shm rw - tmpfs shm rw",
      "92 22 0:52 / /tmp/rafter-node-ab/x rw - tmpfs tmpfs rw",
      "93 22 0:53 / /tmp/rafter-node-a/with\\040space rw - tmpfs tmpfs rw",
    ].join("\n");
    assert.deepEqual(mountsUnder("/tmp/rafter-node-a", mountinfo), [
      "/tmp/rafter-node-a/kubelet/pods/x/volumes/kube-api-access",
      "/tmp/rafter-node-a/containerd/state/sandboxes/1/shm",
      "/tmp/rafter-node-a/with space",
    ]);
  });

  it("derives max pods from the default network card, as nodeadm does", () => {
    assert.equal(
      eniMaxPods({ NetworkInfo: { MaximumNetworkInterfaces: 3, Ipv4AddressesPerInterface: 10 } }),
      29,
    );
    assert.equal(
      eniMaxPods({
        NetworkInfo: {
          MaximumNetworkInterfaces: 8,
          DefaultNetworkCardIndex: 0,
          NetworkCards: [
            { NetworkCardIndex: 0, MaximumNetworkInterfaces: 2 },
            { NetworkCardIndex: 1, MaximumNetworkInterfaces: 6 },
          ],
          Ipv4AddressesPerInterface: 4,
        },
      }),
      8,
    );
    assert.equal(eniMaxPods(undefined), 110);
  });

  it("writes tar entries with valid headers, data padded to blocks", () => {
    const archive = tar([
      { type: "dir", path: "bin" },
      { type: "file", path: "bin/x", data: Buffer.from("hello") },
      { type: "symlink", path: "bin/y", target: "x" },
    ]);
    assert.equal(archive.length % 512, 0);
    assert.deepEqual([...untar(archive).entries()], [["bin/x", Buffer.from("hello")]]);
    assert.throws(() => tar([{ type: "dir", path: "a".repeat(120) }]), /path too long/);
  });

  it("writes an OCI archive whose blobs match their digests and whose index names the image", () => {
    const files = untar(
      ociArchive({ reference: "docker.io/local/app:1", busybox: Buffer.from("binary"), cmd: ["x"] }),
    );
    for (const [name, data] of files)
      if (name.startsWith("blobs/sha256/"))
        assert.equal(createHash("sha256").update(data).digest("hex"), name.slice("blobs/sha256/".length));
    const index = JSON.parse(files.get("index.json")?.toString() ?? "{}") as {
      manifests: { digest: string; annotations: Record<string, string> }[];
    };
    const [entry] = index.manifests;
    assert.ok(entry);
    assert.equal(entry.annotations["io.containerd.image.name"], "docker.io/local/app:1");
    const blob = (digest: string): Buffer => {
      const data = files.get(`blobs/sha256/${digest.slice("sha256:".length)}`);
      assert.ok(data, `blob ${digest}`);
      return data;
    };
    const manifest = JSON.parse(blob(entry.digest).toString()) as {
      config: { digest: string };
      layers: { digest: string }[];
    };
    const config = JSON.parse(blob(manifest.config.digest).toString()) as {
      config: { Cmd: string[] };
      rootfs: { diff_ids: string[] };
    };
    const [layerDescriptor] = manifest.layers;
    assert.ok(layerDescriptor);
    assert.deepEqual(config.config.Cmd, ["x"]);
    assert.deepEqual(config.rootfs.diff_ids, [layerDescriptor.digest]);
    const layer = untar(blob(layerDescriptor.digest));
    assert.deepEqual(layer.get("bin/busybox"), Buffer.from("binary"));
  });
});
