// The one way to turn a caught value into a log- and user-friendly message. `catch` gives `unknown`:
// an Error's message, the message of an Error-like object (AWS SDK and client-node errors that
// crossed a realm or were rebuilt from JSON), or the value itself as text.
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) return String(error.message);
  return String(error);
}
