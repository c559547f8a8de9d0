// Reads an instance's user data the way nodeadm does on boot: a MIME multipart document whose
// `application/node.eks.aws` parts hold NodeConfig YAML (several parts merge in order, later values
// winning), or a bare NodeConfig document. Other parts (shell scripts) are returned untouched.
// Generic on purpose: it reads whatever rafter's renderer writes, not one version of it.
import { parseAllDocuments } from "yaml";

export interface NodeConfig {
  readonly spec: {
    readonly cluster?: {
      readonly name?: string;
      readonly apiServerEndpoint?: string;
      readonly certificateAuthority?: string;
      readonly cidr?: string;
    };
    readonly kubelet?: {
      readonly config?: Readonly<Record<string, unknown>>;
      readonly flags?: readonly string[];
    };
  };
}

export interface UserDataPart {
  readonly contentType: string;
  readonly body: string;
}

export type ParsedUserData =
  | { readonly ok: true; readonly nodeConfig: NodeConfig; readonly otherParts: readonly UserDataPart[] }
  | { readonly ok: false; readonly reason: string };

const NODECONFIG_TYPE = "application/node.eks.aws";

function headersAndBody(text: string): { headers: Map<string, string>; body: string } {
  const normalized = text.replace(/\r\n/g, "\n");
  const split = normalized.indexOf("\n\n");
  const head = split < 0 ? normalized : normalized.slice(0, split);
  const headers = new Map<string, string>();
  for (const line of head.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: split < 0 ? "" : normalized.slice(split + 2) };
}

function boundaryOf(contentType: string): string | undefined {
  return /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
}

/** The parts of a multipart body, split on `--boundary` lines up to `--boundary--`. */
export function mimeParts(text: string): UserDataPart[] | undefined {
  const { headers, body } = headersAndBody(text);
  const contentType = headers.get("content-type") ?? "";
  const boundary = boundaryOf(contentType);
  if (!contentType.toLowerCase().startsWith("multipart/") || boundary === undefined) return undefined;
  const parts: UserDataPart[] = [];
  let current: string[] | undefined;
  for (const line of body.split("\n")) {
    if (line === `--${boundary}` || line === `--${boundary}--`) {
      if (current !== undefined) {
        const part = headersAndBody(current.join("\n"));
        parts.push({ contentType: part.headers.get("content-type") ?? "text/plain", body: part.body });
      }
      if (line.endsWith("--") && line !== `--${boundary}`) break;
      current = [];
    } else current?.push(line);
  }
  return parts;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; anything else (lists included) is replaced by the later value. */
export function mergeDeep(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = mergeDeep(base[key], value);
  return out;
}

export function parseUserData(text: string): ParsedUserData {
  const parts = mimeParts(text) ?? [{ contentType: NODECONFIG_TYPE, body: text }];
  let merged: unknown = undefined;
  const otherParts: UserDataPart[] = [];
  for (const part of parts) {
    if (!part.contentType.toLowerCase().startsWith(NODECONFIG_TYPE)) {
      otherParts.push(part);
      continue;
    }
    for (const document of parseAllDocuments(part.body)) {
      if (document.errors.length > 0)
        return { ok: false, reason: `NodeConfig YAML: ${document.errors[0]?.message ?? "invalid"}` };
      const value: unknown = document.toJS();
      if (!isRecord(value) || value.kind !== "NodeConfig") continue;
      merged = mergeDeep(merged, value);
    }
  }
  if (!isRecord(merged) || !isRecord(merged.spec))
    return { ok: false, reason: "no NodeConfig in the user data" };
  return { ok: true, nodeConfig: merged as unknown as NodeConfig, otherParts };
}
