// API errors as expected outcomes: callers branch on a kind instead of parsing exceptions.
import { ApiException } from "@kubernetes/client-node";
import { errorMessage } from "../domain/error-message.js";
import { fail, ok, type Result } from "../domain/result.js";

export type ApiErrorKind =
  "not-found" | "conflict" | "already-exists" | "too-many-requests" | "invalid" | "forbidden" | "other";

/** What a failed API call comes back as: the kind to branch on, the message to log. */
export interface ApiError {
  readonly kind: ApiErrorKind;
  readonly message: string;
}

/** The typed error of a thrown API exception. */
export function apiError(error: unknown): ApiError {
  return { kind: apiErrorKind(error), message: apiErrorMessage(error) };
}

/** Makes one API call, a failure coming back as its typed error instead of an exception. */
export async function apiCall<T>(call: () => Promise<T>): Promise<Result<T, ApiError>> {
  try {
    return ok(await call());
  } catch (error) {
    return fail(apiError(error));
  }
}

export function apiErrorKind(error: unknown): ApiErrorKind {
  const code = error instanceof ApiException ? error.code : (error as { code?: unknown } | undefined)?.code;
  switch (code) {
    case 404:
      return "not-found";
    case 409:
      return alreadyExists(error) ? "already-exists" : "conflict";
    case 429:
      return "too-many-requests";
    case 422:
    case 400:
      return "invalid";
    case 403:
      return "forbidden";
    default:
      return "other";
  }
}

function alreadyExists(error: unknown): boolean {
  const body = (error as { body?: unknown }).body;
  const text = typeof body === "string" ? body : JSON.stringify(body ?? "");
  return text.includes("AlreadyExists") || text.includes("already exists");
}

/** A short, log-friendly message for an API error (the body's message when there is one). */
export function apiErrorMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = error.body;
    try {
      const parsed = (typeof body === "string" ? JSON.parse(body) : body) as { message?: string } | undefined;
      if (parsed?.message) return `${error.code}: ${parsed.message}`;
    } catch {
      /* not JSON */
    }
    return `${error.code}: ${error.message.split("\n")[0] ?? ""}`;
  }
  return errorMessage(error);
}
