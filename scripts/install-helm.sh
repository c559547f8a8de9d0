#!/usr/bin/env bash
# Builds helm from its Go module (helm.sh/helm/v4/cmd/helm, no prebuilt binary download) into a
# per-user cache outside the repository, keyed by version, so fresh clones on the same machine (CI)
# reuse it. Idempotent. The last line printed is the helm binary's path.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v4.3.2}"
CACHE_ROOT="${RAFTER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rafter}"
DIR="$CACHE_ROOT/helm-$HELM_VERSION"
BIN="$DIR/helm"

installed() {
  [ -x "$BIN" ] && "$BIN" version --template '{{.Version}}' 2>/dev/null | grep -qx "$HELM_VERSION"
}

if installed; then
  echo "$BIN"
  exit 0
fi

# Test files run in parallel and each may call this script: one builds, the others wait for it.
mkdir -p "$DIR"
exec 9>"$DIR.lock"
flock 9
if installed; then
  echo "$BIN"
  exit 0
fi

echo "[install-helm] building helm $HELM_VERSION from its Go module into $DIR (a cold build takes minutes)" >&2
start=$(date +%s)
# helm reports its version from these variables; without them `helm version` says v4.x-dev.
pkg="helm.sh/helm/v4/internal/version"
GOBIN="$DIR" CGO_ENABLED=0 go install -trimpath \
  -ldflags "-s -w -X $pkg.version=$HELM_VERSION" \
  "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >&2
echo "[install-helm] built in $(( $(date +%s) - start ))s" >&2
installed || { echo "[install-helm] $BIN does not report $HELM_VERSION" >&2; exit 1; }
echo "$BIN"
