// A tiny ustar writer: regular files, directories and symlinks, enough for an OCI image layer and the
// OCI archive around it. Deterministic (mtime 0, uid/gid 0) so the same inputs give the same digests.
const BLOCK = 512;

export type TarEntry =
  | { readonly type: "file"; readonly path: string; readonly data: Buffer; readonly mode?: number }
  | { readonly type: "dir"; readonly path: string; readonly mode?: number }
  | { readonly type: "symlink"; readonly path: string; readonly target: string };

/** Writes `value` as a NUL-terminated octal field of `width` bytes. */
function octal(header: Buffer, offset: number, width: number, value: number): void {
  header.write(value.toString(8).padStart(width - 1, "0") + "\0", offset, width, "ascii");
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const name = entry.type === "dir" && !entry.path.endsWith("/") ? `${entry.path}/` : entry.path;
  // ustar splits long names into prefix (155) + name (100); image paths here are short.
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: path too long: ${name}`);
  block.write(name, 0, 100, "utf8");
  const mode = entry.type === "symlink" ? 0o777 : (entry.mode ?? (entry.type === "dir" ? 0o755 : 0o644));
  octal(block, 100, 8, mode);
  octal(block, 108, 8, 0); // uid
  octal(block, 116, 8, 0); // gid
  octal(block, 124, 12, size);
  octal(block, 136, 12, 0); // mtime
  block.write(" ".repeat(8), 148, 8, "ascii"); // checksum placeholder: spaces while summing
  block.write(entry.type === "file" ? "0" : entry.type === "dir" ? "5" : "2", 156, 1, "ascii");
  if (entry.type === "symlink") block.write(entry.target, 157, 100, "utf8");
  block.write("ustar\0", 257, 6, "ascii");
  block.write("00", 263, 2, "ascii");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "ascii");
  return block;
}

/** The archive: each entry's header and data padded to 512 bytes, then two zero blocks. */
export function tar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.type === "file" ? entry.data : Buffer.alloc(0);
    parts.push(header(entry, data.length), data);
    const padding = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
