#!/usr/bin/env bash
# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Installs the Debian packages the local real node needs, when any is missing: the container
# runtime (containerd, runc), pod networking (CNI plugins, iptables, conntrack, iproute2,
# nsenter from util-linux), socat (kubectl port-forward), zstd (the RustFS build cache), and
# what a cold RustFS build needs (protobuf-compiler, cmake), and the headless browser of the
# console's test (chromium, chromium-driver). Nothing is started: the launcher
# runs containerd itself, with private paths. A no-op (one dpkg query) when all are present.
#
# Usage: deploy/local/node-packages.sh        (as root, or with sudo available)
set -euo pipefail

packages=(
  containerd runc containernetworking-plugins
  iptables conntrack iproute2 util-linux socat
  zstd protobuf-compiler cmake
  chromium chromium-driver
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "node packages present: ${packages[*]}" >&2
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "error: need root to install ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q >&2
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
