#!/usr/bin/env bash
# Builds (once) and prints the directory of the e2e toolchain: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubectl (from e2e/k8s) and kwok (go install). Everything lives in ~/.cache/rafter/e2e/<key>/, where <key> hashes the
# pinned versions and the build inputs, so a fresh clone in another folder reuses it.
# Usage: e2e/toolchain.sh        -> builds if missing, prints the toolchain dir on the last line
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/k8s/versions.env"
key=$(cat "$here/k8s/versions.env" "$here/k8s/go.mod" "$here/k8s/go.sum" "$here"/k8s/cmd/*/main.go | sha256sum | cut -c1-16)
root="${RAFTER_CACHE:-$HOME/.cache/rafter}/e2e/${K8S_VERSION}-${key}"
bin="$root/bin"
mkdir -p "$bin"
log() { echo "[toolchain] $*" >&2; }

# One build at a time per cache entry: a CI run in another clone and a local run may start together;
# the second waits for the first and then finds everything built.
exec 9>"$root/.lock"
if ! flock -n 9; then
  log "another build of $root is running; waiting for it"
  flock 9
fi

if [ ! -f "$bin/.k8s-done" ]; then
  log "building Kubernetes ${K8S_VERSION} binaries into $bin (cold build takes many minutes)"
  start=$(date +%s)
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${K8S_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor} -X k8s.io/component-base/version.gitTreeState=clean"
  ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=${K8S_VERSION} -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=${minor}"
  (cd "$here/k8s" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin/" ./cmd/...)
  touch "$bin/.k8s-done"
  log "kubernetes binaries built in $(( $(date +%s) - start ))s"
fi

if [ ! -f "$bin/.kwok-done" ]; then
  log "installing kwok ${KWOK_VERSION}"
  start=$(date +%s)
  GOBIN="$bin" CGO_ENABLED=0 go install -trimpath "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}"
  touch "$bin/.kwok-done"
  log "kwok installed in $(( $(date +%s) - start ))s"
fi

# kwok's own default node stages, from its module at the same version: the e2e cluster runs them
# (plus a stage that makes a chosen node NotReady, e2e/cluster/kwok-stages.ts) instead of a copy.
if [ ! -f "$root/kwok-stages/.done" ]; then
  module=$(go mod download -json "sigs.k8s.io/kwok@${KWOK_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  mkdir -p "$root/kwok-stages"
  cp "$module/kustomize/stage/node/fast/node-initialize.yaml" \
    "$module/kustomize/stage/node/heartbeat/node-heartbeat.yaml" "$root/kwok-stages/"
  touch "$root/kwok-stages/.done"
  log "kwok ${KWOK_VERSION}'s node stages copied from $module"
fi

echo "$root"
