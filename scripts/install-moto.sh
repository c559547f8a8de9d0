#!/usr/bin/env bash
# Installs moto's standalone server (the EC2 API the integration and e2e tests talk to) into a
# per-user virtualenv outside the repository, so fresh clones on the same machine (CI) reuse it.
# Idempotent: an existing, working venv is left alone. The last line printed is the venv's bin dir.
set -euo pipefail

MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
CACHE_ROOT="${RAFTER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rafter}"
VENV="$CACHE_ROOT/moto-$MOTO_VERSION/venv"
BIN="$VENV/bin"

installed() {
  [ -x "$BIN/moto_server" ] && "$BIN/python" -c "import moto, sys; sys.exit(0 if moto.__version__ == '$MOTO_VERSION' else 1)" 2>/dev/null
}

if installed; then
  echo "$BIN"
  exit 0
fi

# Test files run in parallel and each may call this script: one installs, the others wait for it.
mkdir -p "$CACHE_ROOT"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_ROOT/moto-$MOTO_VERSION.lock"
  flock 9
  if installed; then
    echo "$BIN"
    exit 0
  fi
fi

PYTHON="${PYTHON:-python3}"
# A venv cannot be moved after creation (its scripts carry absolute shebangs), so it is built in
# place; a half-built venv from an interrupted run fails the import check above and is rebuilt.
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PYTHON" -m venv "$VENV" >&2
"$BIN/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
"$BIN/python" -c "import moto" >&2
echo "$BIN"
