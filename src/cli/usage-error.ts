/** A problem with how a command was invoked (bad input file, unknown option value): exit code 2. */
export class UsageError extends Error {}
