// Input a person can fix: a bad flag or setting, an unreadable kubeconfig, a manifest the CRD schema
// rejects. The CLI prints the message as one line and exits 2; anything else is a failure (exit 1).
export class UsageError extends Error {}
