#!/usr/bin/env bash
# Installs what the e2e real-node tier runs a kubelet on: Debian's containerd, runc, the CNI plugins
# (bridge, host-local, portmap, loopback in /usr/lib/cni) and busybox-static (the only binary in the
# locally built pause and workload images). Idempotent: does nothing when all are present. Needs root
# (CI runs as root); without root and with something missing it exits 2 naming what is missing.
# The last line printed is the CNI plugin directory.
set -euo pipefail

CNI_DIR=/usr/lib/cni
PACKAGES=(containerd runc containernetworking-plugins busybox-static)
present() {
  for package in "${PACKAGES[@]}"; do
    [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" = "install ok installed" ] || return 1
  done
}

if present; then
  echo "$CNI_DIR"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-node-runtime: containerd, runc, containernetworking-plugins and busybox-static are needed; run as root or install them" >&2
  exit 2
fi
# One installer at a time (several test files may start together); dpkg's own lock is waited on too.
exec 9>/var/lib/apt/rafter-install-node-runtime.lock
flock 9
if present; then
  echo "$CNI_DIR"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
  "${PACKAGES[@]}" >&2
echo "$CNI_DIR"
