// What went wrong on rafter's side, from its JSON log: its warnings and errors, deduplicated. The
// demo prints them when it stalls; the e2e runner when a scenario fails (diagnosis.ts).
import { readFileSync } from "node:fs";

/**
 * Distinct warn/error messages of rafter's JSON log (pino levels 40+), most frequent first; only
 * those logged at or after `since` (epoch ms) when given.
 */
export function rafterComplaints(logFile: string, limit = 6, since = 0): string[] {
  const counts = new Map<string, number>();
  let text: string;
  try {
    text = readFileSync(logFile, "utf8");
  } catch {
    return [];
  }
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const entry = JSON.parse(line) as {
        level?: number;
        time?: number;
        msg?: string;
        error?: unknown;
        err?: unknown;
      };
      if ((entry.level ?? 0) < 40 || (entry.time ?? Infinity) < since) continue;
      const detail = entry.error ?? entry.err;
      const key = `${entry.msg ?? ""}${detail !== undefined ? `: ${JSON.stringify(detail).slice(0, 240)}` : ""}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    } catch {
      // not a JSON line
    }
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([message, n]) => `${n}× ${message}`);
}
