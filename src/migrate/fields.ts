// Tracks which fields of a Karpenter object a converter read, so that every field it did not read is
// reported rather than silently lost: a field Karpenter adds in a later release shows up as "not
// carried" instead of disappearing.

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export class FieldReader {
  private readonly read = new Set<string>();
  constructor(private readonly root: Json) {}

  /** The value at a dotted path (array items as "[i]"), marking it and everything under it as read. */
  take(path: string): Json {
    this.read.add(path);
    return this.at(path);
  }

  private at(path: string): Json {
    let value: Json = this.root;
    for (const part of path.split(/\.|(?=\[)/)) {
      const index = /^\[(\d+)\]$/.exec(part);
      if (index) value = Array.isArray(value) ? value[Number(index[1])] : undefined;
      else value = isRecord(value) ? value[part] : undefined;
      if (value === undefined) return undefined;
    }
    return value;
  }

  /** Paths of leaves under `prefix` that no take() covered, in document order. */
  unread(prefix: string): string[] {
    const out: string[] = [];
    const walk = (value: Json, path: string): void => {
      if (this.covered(path)) return;
      if (isRecord(value) && Object.keys(value).length > 0) {
        for (const [key, child] of Object.entries(value)) walk(child, `${path}.${key}`);
      } else if (Array.isArray(value) && value.length > 0) {
        value.forEach((child, i) => {
          walk(child, `${path}[${i}]`);
        });
      } else out.push(path);
    };
    walk(this.at(prefix), prefix);
    return out;
  }

  private covered(path: string): boolean {
    for (const read of this.read)
      if (path === read || path.startsWith(`${read}.`) || path.startsWith(`${read}[`)) return true;
    return false;
  }
}

export function asRecord(value: Json): Record<string, Json> | undefined {
  return isRecord(value) ? value : undefined;
}

export function asArray(value: Json): Json[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: Json): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function asStringMap(value: Json): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}
