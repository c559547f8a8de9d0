// Container images without a registry: an OCI image archive (oci-layout, index.json, blobs) holding
// one uncompressed layer with a static busybox and a few applet links, written here and imported with
// `ctr images import`. Nothing is pulled; the pause image is busybox running `sleep infinity`.
import { createHash } from "node:crypto";
import { tar, type TarEntry } from "./tar.js";

export interface ImageSpec {
  /** Full reference as the CRI normalises it, e.g. "docker.io/local/pause:1". */
  readonly reference: string;
  /** The static busybox binary's bytes. */
  readonly busybox: Buffer;
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
}

const APPLETS = ["sh", "sleep", "echo", "cat", "ls", "env", "true", "date", "hostname"];

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
}

function blob(mediaType: string, data: Buffer): { descriptor: Descriptor; data: Buffer } {
  const digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
  return { descriptor: { mediaType, digest, size: data.length }, data };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** The layer: /bin/busybox, its applets as symlinks, and the folders a pod's mounts land in. */
export function busyboxLayer(busybox: Buffer): Buffer {
  const entries: TarEntry[] = [
    { type: "dir", path: "bin" },
    { type: "file", path: "bin/busybox", data: busybox, mode: 0o755 },
    ...APPLETS.map((name): TarEntry => ({ type: "symlink", path: `bin/${name}`, target: "busybox" })),
    { type: "dir", path: "etc" },
    { type: "dir", path: "tmp", mode: 0o1777 },
    { type: "dir", path: "var" },
  ];
  return tar(entries);
}

/** The OCI archive (a tar) for one image, ready for `ctr -n k8s.io images import`. */
export function ociArchive(spec: ImageSpec): Buffer {
  const layer = blob("application/vnd.oci.image.layer.v1.tar", busyboxLayer(spec.busybox));
  const config = blob(
    "application/vnd.oci.image.config.v1+json",
    json({
      architecture: "amd64",
      os: "linux",
      config: {
        Env: ["PATH=/bin"],
        ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
        ...(spec.cmd ? { Cmd: spec.cmd } : {}),
      },
      // uncompressed layer: its diff ID is its digest
      rootfs: { type: "layers", diff_ids: [layer.descriptor.digest] },
    }),
  );
  const manifest = blob(
    "application/vnd.oci.image.manifest.v1+json",
    json({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: config.descriptor,
      layers: [layer.descriptor],
    }),
  );
  const tag = spec.reference.slice(spec.reference.lastIndexOf(":") + 1);
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        ...manifest.descriptor,
        annotations: { "io.containerd.image.name": spec.reference, "org.opencontainers.image.ref.name": tag },
      },
    ],
  };
  const blobs = [layer, config, manifest].map((b): TarEntry => ({
    type: "file",
    path: `blobs/sha256/${b.descriptor.digest.slice(7)}`,
    data: b.data,
  }));
  return tar([
    { type: "file", path: "oci-layout", data: json({ imageLayoutVersion: "1.0.0" }) },
    { type: "file", path: "index.json", data: json(index) },
    { type: "dir", path: "blobs" },
    { type: "dir", path: "blobs/sha256" },
    ...blobs,
  ]);
}

/** The two images the real-node tier uses. */
export const IMAGES = {
  pause: { reference: "docker.io/local/pause:1", entrypoint: ["/bin/busybox", "sleep", "infinity"] },
  /** Pods say `local/app:1`; the default command prints a line and sleeps, so `kubectl logs` has text. */
  app: {
    reference: "docker.io/local/app:1",
    entrypoint: ["/bin/sh", "-c"],
    cmd: ['echo "hello from $(hostname)"; exec sleep infinity'],
  },
} as const;
