// A small MIME multipart/mixed writer and reader for user data (RFC 2046 §5.1): the shape cloud-init
// and nodeadm read. Parts are (headers, body) values; the boundary is chosen so that no part's body
// contains it. Only what user data needs: no nested multiparts are built, no transfer encodings are
// decoded (user data parts are plain text).

export interface MimePart {
  /** The part's Content-Type header value, e.g. `application/node.eks.aws`. */
  readonly contentType: string;
  readonly body: string;
}

/** A parsed Content-Type: the media type in lower case and its parameters. */
export interface MediaType {
  readonly type: string;
  readonly params: Readonly<Record<string, string>>;
}

export function parseMediaType(value: string): MediaType {
  const [type = "", ...rest] = value.split(";");
  const params: Record<string, string> = {};
  for (const param of rest) {
    const eq = param.indexOf("=");
    if (eq < 0) continue;
    const key = param.slice(0, eq).trim().toLowerCase();
    const raw = param.slice(eq + 1).trim();
    params[key] = raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  }
  return { type: type.trim().toLowerCase(), params };
}

const boundaryBase = "//rafter-boundary";

function chooseBoundary(parts: readonly MimePart[]): string {
  let boundary = boundaryBase;
  for (let n = 1; parts.some((part) => part.body.includes(`--${boundary}`)); n++)
    boundary = `${boundaryBase}-${n}`;
  return boundary;
}

export function writeMultipart(parts: readonly MimePart[]): string {
  const boundary = chooseBoundary(parts);
  const lines = ["MIME-Version: 1.0", `Content-Type: multipart/mixed; boundary="${boundary}"`, ""];
  for (const part of parts) {
    lines.push(`--${boundary}`, `Content-Type: ${part.contentType}`, "", part.body.replace(/\r?\n$/, ""));
  }
  lines.push(`--${boundary}--`, "");
  return lines.join("\n");
}

interface Headers {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/** Splits header lines (with folded continuations) from the body at the first empty line. */
function splitHeaders(text: string): Headers | undefined {
  const match = /\r?\n\r?\n/.exec(text);
  const head = match ? text.slice(0, match.index) : text;
  const body = match ? text.slice(match.index + match[0].length) : "";
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of head.split(/\r?\n/)) {
    if (line === "") continue; // a part without headers
    if (/^[ \t]/.test(line) && last !== undefined) {
      headers.set(last, `${headers.get(last) ?? ""} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) return undefined; // not a header block
    last = line.slice(0, colon).trim().toLowerCase();
    headers.set(last, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** The parts of a multipart document, or undefined when `text` is not one. */
export function readMultipart(text: string): MimePart[] | undefined {
  const message = splitHeaders(text);
  const contentType = message?.headers.get("content-type");
  if (!message || contentType === undefined) return undefined;
  const media = parseMediaType(contentType);
  const boundary = media.params.boundary;
  if (!media.type.startsWith("multipart/") || !boundary) return undefined;
  const parts: MimePart[] = [];
  const delimiter = `--${boundary}`;
  const lines = message.body.split(/\r?\n/);
  let current: string[] | undefined;
  const finish = (): void => {
    if (!current) return;
    const part = splitHeaders(current.join("\n"));
    if (part)
      parts.push({
        contentType: part.headers.get("content-type") ?? "text/plain",
        body: part.body,
      });
  };
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === delimiter || trimmed === `${delimiter}--`) {
      finish();
      if (trimmed.endsWith("--") && trimmed !== delimiter) return parts;
      current = [];
      continue;
    }
    current?.push(line);
  }
  finish();
  return parts;
}
