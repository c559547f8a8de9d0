// The one shape of an expected outcome: success with a value, or failure with a typed error that
// the caller must look at (no exceptions for what is expected: a 404, a throttle, a bad request).
// Branch on `ok`; what went wrong is in `error`, whose type says which failures can happen.
export type Result<T, E> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });

export const fail = <E>(error: E): { readonly ok: false; readonly error: E } => ({ ok: false, error });
