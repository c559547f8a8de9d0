// The cron schedules a disruption budget may carry, stated once: the CRD's pattern is generated from
// the grammar below, and the code that evaluates budgets reads schedules through `cronExpression`. So
// every schedule the API server accepts is one the evaluator can run. (The earlier pattern, taken in
// the spirit of Karpenter's, accepted "@midnight", which cron-parser cannot resolve, and any five
// words, so a typo made a budget silently inactive.)
//
// The grammar is standard five-field cron (minute hour day-of-month month day-of-week), each field a
// comma-separated list of `*`, a value or a range `a-b`, each optionally stepped `/n`; months and
// weekdays also by their three-letter English names (lower or upper case). Macros are the classic ones.

/** Each macro the CRD accepts, with the five-field expression it stands for. */
export const scheduleMacros: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const weekdayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const bothCases = (list: readonly string[]): string[] => list.flatMap((n) => [n, n.toUpperCase()]);

/** One field's values: the numbers it allows as a regular expression, plus names. */
const fieldValues = [
  "[0-5]?[0-9]", // minute 0-59
  "[01]?[0-9]|2[0-3]", // hour 0-23
  "0?[1-9]|[12][0-9]|3[01]", // day of month 1-31
  ["0?[1-9]|1[0-2]", ...bothCases(monthNames)].join("|"), // month 1-12
  ["[0-7]", ...bothCases(weekdayNames)].join("|"), // day of week 0-7 (0 and 7 are Sunday)
];

function fieldPattern(values: string): string {
  const value = `(?:${values})`;
  const item = `(?:\\*|${value}(?:-${value})?)(?:/[1-9][0-9]?)?`;
  return `${item}(?:,${item})*`;
}

/** The CRD's pattern for `spec.disruption.budgets[].schedule`, anchored as a whole. */
export const schedulePattern = `^(?:${Object.keys(scheduleMacros).join("|")}|${fieldValues.map(fieldPattern).join(" ")})$`;

const bounds: readonly (readonly [number, number])[] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
const nameValues: readonly Readonly<Record<string, number>>[] = [
  {},
  {},
  {},
  Object.fromEntries(monthNames.map((name, i) => [name, i + 1])),
  Object.fromEntries(weekdayNames.map((name, i) => [name, i])),
];

/**
 * The five-field expression a schedule stands for, as the cron evaluator reads it: macros expanded,
 * and each field written as the sorted list of the values it selects. cron-parser refuses several
 * things the pattern accepts and a person means plainly: a range that wraps (`fri-mon`, `22-2`: read
 * as running over the end of the field), the same value twice (`0,sun`), Sunday as 7 beside 0. A
 * field that selects every value is written `*`. A day that never comes (`0 0 31 2 *`) is left as it
 * is: such a budget never ticks, so it is never active, which is what it says.
 */
export function cronExpression(schedule: string): string {
  const text = schedule.trim();
  const expanded = scheduleMacros[text];
  if (expanded !== undefined) return expanded;
  return text
    .split(/\s+/)
    .map((field, index) => expandField(field, index))
    .join(" ");
}

function expandField(field: string, index: number): string {
  const [min, max] = bounds[index] ?? [0, 0];
  const weekday = index === 4;
  // Sunday is both 0 and 7; as a value it is 0, as the end of a range 7 still means "through Sunday".
  const top = weekday ? 6 : max;
  const valueOf = (token: string): number => nameValues[index]?.[token.toLowerCase()] ?? Number(token);
  const selected = new Set<number>();
  for (const item of field.split(",")) {
    const [range = "", stepText] = item.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    const [fromText = "", toText] = range.split("-");
    const star = fromText === "*";
    const named = star ? min : valueOf(fromText);
    const from = weekday && named === 7 ? 0 : named;
    const to =
      star || (toText === undefined && stepText !== undefined)
        ? top
        : toText === undefined
          ? from
          : valueOf(toText);
    const span = to >= from ? to - from : top - from + 1 + (to - min);
    for (let offset = 0; offset <= span; offset += step) {
      const value = from + offset > top ? min + (from + offset - top - 1) : from + offset;
      selected.add(weekday && value === 7 ? 0 : value);
    }
  }
  const values = [...selected].sort((a, b) => a - b);
  return values.length === top - min + 1 ? "*" : values.join(",");
}
