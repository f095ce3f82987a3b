#!/usr/bin/env bash
# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Builds the OCI image tarballs the local real node runs, from local files only (no registry,
# no Docker engine), into ${RUSTFS_OPERATOR_CACHE:-$HOME/.cache/rustfs-operator}/images and
# prints one line per image: "<reference> <tarball>". The launcher imports them into its
# containerd (`ctr -n k8s.io images import`); pods then use them with imagePullPolicy
# IfNotPresent (the default for a tag other than :latest).
#
#   localhost/rustfs/rustfs:1.0.1        the rustfs binary from rustfs.sh, the libraries ldd
#                                        lists, the CA bundle, a passwd entry for uid 10001, /tmp
#   localhost/rustfs/rustfs:1.0.1-b      the same files, another image config (a second tag for
#                                        rolling-change tests: a new image, the same RustFS)
#   docker.io/rustfs/rustfs-operator:0.1.0
#                                        the operator binary built by deploy/image/build-steps.sh
#                                        (the Dockerfile's own steps), its libraries, the CA bundle,
#                                        uid 65532: what the Dockerfile's runtime stage holds
#   localhost/local-cluster/pause:3.10   the static pause binary from build.sh (the pod sandbox)
#
# Each tarball is an OCI image layout with one uncompressed layer; its name carries a hash of
# its inputs (the binary, or for the operator the source tree), so a rebuild happens only when
# they changed.
#
# Usage: deploy/local/images.sh [--skip-operator]
#   --skip-operator  do not build the operator image (tests that run the operator on the host)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${RUSTFS_OPERATOR_CACHE:-$HOME/.cache/rustfs-operator}"
out="$cache/images"
mkdir -p "$out"
skip_operator=0
[[ "${1:-}" == --skip-operator ]] && skip_operator=1

log() { echo "[images.sh $(date +%H:%M:%S)] $*" >&2; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# stage_libs ROOT BINARY: copies the shared libraries BINARY needs (and the loader) into ROOT.
stage_libs() {
  local root="$1" bin="$2" lib
  for lib in $(ldd "$bin" | awk '/=>/ { print $3 } /^\t\// { print $1 }'); do
    [[ -f "$lib" ]] || continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

# stage_base ROOT UID NAME: the few files every image here carries.
stage_base() {
  local root="$1" uid="$2" name="$3"
  mkdir -p "$root"/{etc/ssl/certs,tmp,usr/bin}
  chmod 1777 "$root/tmp"
  if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  fi
  printf 'root:x:0:0:root:/root:/sbin/nologin\n%s:x:%s:%s:%s:/tmp:/sbin/nologin\n' \
    "$name" "$uid" "$uid" "$name" >"$root/etc/passwd"
  printf 'root:x:0:\n%s:x:%s:\n' "$name" "$uid" >"$root/etc/group"
}

# oci_pack REF ROOT CONFIG_JSON_FRAGMENT TARBALL: writes an OCI image layout tarball.
oci_pack() {
  local ref="$1" root="$2" config="$3" tarball="$4"
  local work; work="$(mktemp -d)"
  mkdir -p "$work/blobs/sha256"
  tar -C "$root" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$work/layer.tar" .
  local layer_sha layer_size
  layer_sha="$(sha "$work/layer.tar")"; layer_size="$(stat -c %s "$work/layer.tar")"
  mv "$work/layer.tar" "$work/blobs/sha256/$layer_sha"
  printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$config" "$layer_sha" >"$work/config.json"
  local cfg_sha cfg_size
  cfg_sha="$(sha "$work/config.json")"; cfg_size="$(stat -c %s "$work/config.json")"
  mv "$work/config.json" "$work/blobs/sha256/$cfg_sha"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$cfg_sha" "$cfg_size" "$layer_sha" "$layer_size" >"$work/manifest.json"
  local man_sha man_size
  man_sha="$(sha "$work/manifest.json")"; man_size="$(stat -c %s "$work/manifest.json")"
  mv "$work/manifest.json" "$work/blobs/sha256/$man_sha"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$man_sha" "$man_size" "$ref" "${ref##*:}" >"$work/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
  tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
    -cf "$tarball.partial" oci-layout index.json blobs
  mv -f "$tarball.partial" "$tarball"
  rm -rf "$work"
}

# image REF KEY BUILDER...: builds REF into a tarball named by KEY unless it exists; prints it.
image() {
  local ref="$1" key="$2"; shift 2
  local safe="${ref//[\/:]/_}"
  local tarball="$out/$safe-$key.tar"
  if [[ ! -f "$tarball" ]]; then
    log "building $ref"
    local root; root="$(mktemp -d)"
    "$@" "$root" "$tarball"
    rm -rf "$root"
    # Older tarballs of the same reference are stale now.
    find "$out" -maxdepth 1 -name "$safe-*.tar" ! -name "$safe-$key.tar" -delete
  fi
  echo "$ref $tarball"
}

rustfs_bin="$("$here/rustfs.sh")"
bin_dir="${RUSTFS_OPERATOR_CONTROLPLANE_BIN:-$("$here/build.sh")}"

rustfs_image() { # VARIANT ROOT TARBALL
  local variant="$1" root="$2" tarball="$3"
  stage_base "$root" 10001 rustfs
  cp "$rustfs_bin" "$root/usr/bin/rustfs"
  stage_libs "$root" "$rustfs_bin"
  mkdir -p "$root/data"
  chown 10001:10001 "$root/data"
  oci_pack "localhost/rustfs/rustfs:1.0.1$variant" "$root" \
    "{\"User\":\"10001:10001\",\"Entrypoint\":[\"/usr/bin/rustfs\"],\"Env\":[\"PATH=/usr/bin:/bin\"],\"WorkingDir\":\"/\",\"Labels\":{\"org.opencontainers.image.version\":\"1.0.1\",\"local-cluster.rustfs.com/variant\":\"${variant:-a}\"},\"ExposedPorts\":{\"9000/tcp\":{},\"9001/tcp\":{}}}" \
    "$tarball"
}
rustfs_key="$(sha "$rustfs_bin" | cut -c1-16)"
image "localhost/rustfs/rustfs:1.0.1" "$rustfs_key" rustfs_image ""
image "localhost/rustfs/rustfs:1.0.1-b" "$rustfs_key" rustfs_image "-b"

pause_image() { # ROOT TARBALL
  mkdir -p "$1/usr/bin"
  cp "$bin_dir/pause" "$1/usr/bin/pause"
  oci_pack "localhost/local-cluster/pause:3.10" "$1" \
    '{"User":"65535:65535","Entrypoint":["/usr/bin/pause"]}' "$2"
}
image "localhost/local-cluster/pause:3.10" "$(sha "$bin_dir/pause" | cut -c1-16)" pause_image

if [[ $skip_operator == 0 ]]; then
  operator_bin="${CARGO_TARGET_DIR_IMAGE:-$cache/image-target}/release/rustfs-operator"
  # Keyed by the files the binary is built from (their content, committed or not):
  # build-steps.sh copies the context to a fresh directory, so cargo recompiles the
  # workspace crates every time (~105 s); skip it when this very source was packed before.
  # Tests, docs and examples are not part of the key: changing them needs no new image.
  src_key=""
  if git -C "$repo" rev-parse HEAD >/dev/null 2>&1; then
    src_key="$(cd "$repo" && git ls-files -co --exclude-standard -- \
        Cargo.toml Cargo.lock build.rs Dockerfile src machine deploy/image \
        deploy/local/launcher/Cargo.toml |
      LC_ALL=C sort | while IFS= read -r f; do if [[ -f "$f" ]]; then sha256sum "$f"; fi; done |
      sha256sum | cut -c1-16)"
  fi
  operator_ref="docker.io/rustfs/rustfs-operator:0.1.0"
  if [[ -z "$src_key" || ! -f "$out/${operator_ref//[\/:]/_}-$src_key.tar" ]]; then
    log "operator binary: deploy/image/build-steps.sh (the Dockerfile's steps)"
    "$here/../image/build-steps.sh" >&2
    [[ -x "$operator_bin" ]] || { log "no operator binary at $operator_bin"; exit 1; }
    [[ -n "$src_key" ]] || src_key="$(sha "$operator_bin" | cut -c1-16)"
  fi
  operator_image() { # ROOT TARBALL
    stage_base "$1" 65532 nonroot
    mkdir -p "$1/usr/local/bin"
    cp "$operator_bin" "$1/usr/local/bin/rustfs-operator"
    stage_libs "$1" "$operator_bin"
    oci_pack "$operator_ref" "$1" \
      '{"User":"65532:65532","Entrypoint":["/usr/local/bin/rustfs-operator"],"Cmd":["server"],"ExposedPorts":{"8080/tcp":{}}}' "$2"
  }
  image "$operator_ref" "$src_key" operator_image
fi
