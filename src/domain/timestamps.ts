// Timestamps arrive as Date objects (client-node deserialisation) or RFC 3339 strings (raw watch
// events, YAML fixtures, extender requests); rafter compares milliseconds.
export function millis(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "string") {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}
