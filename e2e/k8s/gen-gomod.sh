#!/usr/bin/env bash
# Generates go.mod for the e2e binaries: k8s.io/kubernetes pins every staging module at v0.0.0 and
# replaces it with a local path, so a consumer must replace each one with the matching published
# version. The list is read from the release's own go.mod so it never drifts.
set -euo pipefail
cd "$(dirname "$0")"
source ./versions.env
gomod=$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
{
  echo "module rafter.dev/e2e/k8s"
  echo
  echo "go 1.26.0"
  echo
  echo "require k8s.io/kubernetes ${K8S_VERSION}"
  echo
  echo "replace ("
  grep -E '=> \./staging/src/' "$gomod" | awk -v v="$STAGING_VERSION" '{print "\t" $1 " => " $1 " " v}'
  echo ")"
} > go.mod
echo "go.mod generated for ${K8S_VERSION} / ${STAGING_VERSION}"
