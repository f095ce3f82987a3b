#!/usr/bin/env bash
# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Puts the RustFS server binary (the `rustfs` crate, RUSTFS_VERSION below) into a cache
# outside the repository and prints its path on stdout:
#
#   ${RUSTFS_OPERATOR_CACHE:-$HOME/.cache/rustfs-operator}/rustfs/<version>-<flags key>/bin/rustfs
#
# A no-op when that file is there. Otherwise, in this order:
#   1. a prebuilt copy from a build-cache folder (RUSTFS_PREBUILT_DIR, default ../shared/cache/rustfs
#      beside the repository) holding rustfs-<version>-x86_64-linux-gnu.zst and SHA256SUMS: taken
#      only when both the compressed file and the decompressed binary match their checksums;
#   2. a cold build from the Rust crate registry: `cargo install rustfs@<version> --locked`
#      with the newest installed toolchain that compiles it (the crate declares rust-version
#      1.98.1: --ignore-rust-version), with the release-profile overrides below. Needs
#      protobuf-compiler, cmake and a C compiler (installed by node-packages.sh). Measured on
#      2 cores: 89 min, ~10 GB peak memory (deploy/local/README.md).
#
# Usage: deploy/local/rustfs.sh [--print-path]
set -euo pipefail

RUSTFS_VERSION=1.0.1
# The profile the binary is built with. Part of the cache key: change it, get a new folder.
PROFILE_ENV=(
  CARGO_PROFILE_RELEASE_OPT_LEVEL=2
  CARGO_PROFILE_RELEASE_LTO=off
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
  CARGO_PROFILE_RELEASE_DEBUG=0
  CARGO_PROFILE_RELEASE_STRIP=true
  CARGO_PROFILE_RELEASE_PANIC=unwind
  CARGO_INCREMENTAL=0
)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache_root="${RUSTFS_OPERATOR_CACHE:-$HOME/.cache/rustfs-operator}/rustfs"
flags_key="$(printf '%s\n' "${PROFILE_ENV[@]}" | sha256sum | cut -c1-12)"
dir="$cache_root/$RUSTFS_VERSION-$flags_key"
bin="$dir/bin/rustfs"

case "${1:-}" in
  --print-path) echo "$bin"; exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--print-path]" >&2; exit 2 ;;
esac

log() { echo "[rustfs.sh $(date +%H:%M:%S)] $*" >&2; }

if [[ -x "$bin" && -f "$dir/.complete" ]]; then
  log "rustfs $RUSTFS_VERSION is current: $bin"
  echo "$bin"
  exit 0
fi

mkdir -p "$dir/bin"
exec 9>"$dir/.lock"
flock 9
if [[ -x "$bin" && -f "$dir/.complete" ]]; then echo "$bin"; exit 0; fi

prebuilt="${RUSTFS_PREBUILT_DIR:-$repo/../shared/cache/rustfs}"
artifact="rustfs-$RUSTFS_VERSION-x86_64-linux-gnu"
from_prebuilt() {
  [[ -f "$prebuilt/$artifact.zst" && -f "$prebuilt/SHA256SUMS" ]] || return 1
  [[ "$(uname -m)" == x86_64 ]] || return 1
  command -v zstd >/dev/null || { log "zstd missing: cannot use $prebuilt"; return 1; }
  local want_zst want_bin
  want_bin="$(awk -v f="$artifact" '$2 == f { print $1 }' "$prebuilt/SHA256SUMS")"
  want_zst="$(awk -v f="$artifact.zst" '$2 == f { print $1 }' "$prebuilt/SHA256SUMS")"
  [[ -n "$want_bin" && -n "$want_zst" ]] || { log "$prebuilt/SHA256SUMS lacks $artifact"; return 1; }
  if [[ "$(sha256sum <"$prebuilt/$artifact.zst" | cut -d' ' -f1)" != "$want_zst" ]]; then
    log "checksum mismatch on $prebuilt/$artifact.zst: not used"; return 1
  fi
  zstd -q -dc "$prebuilt/$artifact.zst" >"$bin.partial"
  if [[ "$(sha256sum <"$bin.partial" | cut -d' ' -f1)" != "$want_bin" ]]; then
    log "checksum mismatch on the decompressed binary: not used"; rm -f "$bin.partial"; return 1
  fi
  chmod 0755 "$bin.partial"
  echo "prebuilt from $prebuilt ($want_bin)" >"$dir/SOURCE"
}

from_registry() {
  command -v protoc >/dev/null || { log "protoc missing: run deploy/local/node-packages.sh"; exit 1; }
  local toolchain="" t
  # Newest first: the crate asks for a newer Rust than any installed here.
  for t in nightly beta stable; do
    if rustup run "$t" rustc --version >/dev/null 2>&1; then toolchain="$t"; break; fi
  done
  [[ -n "$toolchain" ]] || { log "no rustup toolchain found"; exit 1; }
  log "cold build of rustfs $RUSTFS_VERSION with $(rustup run "$toolchain" rustc --version); this takes long (89 min on 2 cores)"
  local start; start=$(date +%s)
  env "${PROFILE_ENV[@]}" cargo "+$toolchain" install "rustfs@$RUSTFS_VERSION" --locked \
    --ignore-rust-version --root "$dir/install" -j "${CARGO_BUILD_JOBS:-$(nproc)}" >&2
  mv -f "$dir/install/bin/rustfs" "$bin.partial"
  echo "built from the crate registry with $toolchain in $(( $(date +%s) - start ))s" >"$dir/SOURCE"
  log "$(cat "$dir/SOURCE")"
}

from_prebuilt || from_registry
"$bin.partial" --version >&2
mv -f "$bin.partial" "$bin"
date -u +%Y-%m-%dT%H:%M:%SZ >"$dir/.complete"
echo "$bin"
