#!/usr/bin/env bash
# Builds rafter's nodeadm judge (test/nodeadm/judge/main.go compiled inside a scratch copy of the
# nodeadm Go module, so its internal packages are importable) once, into
# ~/.cache/rafter/nodeadm-<version>-<hash of the judge source>/, and prints the binary's path.
# The module proxy serves nodeadm only at this pseudo-version.
set -euo pipefail
version="v0.0.0-20240229193347-cfab22a10647"
module="github.com/awslabs/amazon-eks-ami/nodeadm"
root="$(cd "$(dirname "$0")/.." && pwd)"
source_file="$root/test/nodeadm/judge/main.go"
hash="$(sha256sum "$source_file" | cut -c1-12)"
cache="${RAFTER_CACHE:-$HOME/.cache/rafter}/nodeadm-$version-$hash"
binary="$cache/nodeadm-judge"
if [[ -x "$binary" ]]; then
  echo "$binary"
  exit 0
fi
mkdir -p "$cache"
exec 9>"$cache.lock"
flock 9
if [[ ! -x "$binary" ]]; then
  work="$(mktemp -d)"
  trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
  module_dir="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  cp -r "$module_dir" "$work/nodeadm"
  chmod -R u+w "$work/nodeadm"
  mkdir -p "$work/nodeadm/cmd/rafter-judge"
  cp "$source_file" "$work/nodeadm/cmd/rafter-judge/main.go"
  (cd "$work/nodeadm" && go build -mod=mod -o "$binary.tmp" ./cmd/rafter-judge) >&2
  mv "$binary.tmp" "$binary"
fi
echo "$binary"
