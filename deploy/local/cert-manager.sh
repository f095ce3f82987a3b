#!/usr/bin/env bash
# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Builds cert-manager's controller and webhook from the Go module in
# deploy/local/cert-manager (which pins github.com/cert-manager/cert-manager),
# and copies the module's plain CRD manifests (deploy/crds) next to them, into
# a cache outside the repository:
#
#   ${RUSTFS_OPERATOR_CACHE:-$HOME/.cache/rustfs-operator}/cert-manager/<key>/bin
#   ${RUSTFS_OPERATOR_CACHE:-$HOME/.cache/rustfs-operator}/cert-manager/<key>/crds
#
# The same conventions as build.sh, but a key of its own, so pinning another
# cert-manager release does not rebuild the control plane: <key> is a hash of
# every go.mod, go.sum and .go file under deploy/local/cert-manager plus RECIPE
# below (mirrored by deploy/local/launcher/build.rs). A finished directory
# holds a `.complete` marker and is reused as is; binaries already present in
# an unfinished one are kept, so an interrupted build resumes. Logs go to
# stderr (and <key>/build.log); stdout carries only the bin dir.
#
# Usage: deploy/local/cert-manager.sh [--print-key] [--print-dir]
set -euo pipefail

# Bump when the build recipe (flags, binary list, CRD step) changes without any
# module file changing. The launcher's build.rs reads this line, keep its shape.
RECIPE=1

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MOD_DIR="$HERE/cert-manager"
CACHE_ROOT="${RUSTFS_OPERATOR_CACHE:-$HOME/.cache/rustfs-operator}/cert-manager"

# One "<sha256>  <path>" line per file (paths relative to deploy/local, byte
# order), then "recipe=<RECIPE>", hashed again; the first 16 hex digits.
compute_key() {
  (
    cd "$HERE"
    find cert-manager -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) -print |
      LC_ALL=C sort |
      while IFS= read -r f; do sha256sum "$f"; done
    echo "recipe=$RECIPE"
  ) | sha256sum | cut -c1-16
}

KEY="$(compute_key)"
DIR="$CACHE_ROOT/$KEY"
BIN="$DIR/bin"

case "${1:-}" in
  --print-key) echo "$KEY"; exit 0 ;;
  --print-dir) echo "$BIN"; exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--print-key|--print-dir]" >&2; exit 2 ;;
esac

if [[ -f "$DIR/.complete" ]]; then
  echo "cert-manager binaries are current: $BIN" >&2
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "error: go toolchain not found in PATH" >&2; exit 1; }

mkdir -p "$BIN"
# One builder per key at a time; a second caller waits, then sees .complete.
exec 9>"$DIR/.lock"
flock 9
if [[ -f "$DIR/.complete" ]]; then
  echo "$BIN"
  exit 0
fi

LOG="$DIR/build.log"
log() { echo "[cert-manager.sh $(date +%H:%M:%S)] $*" | tee -a "$LOG" >&2; }

# The version comes from go.mod (the module pin is the only place to change).
version="$(cd "$MOD_DIR" && go list -m -f '{{.Version}}' github.com/cert-manager/cert-manager)"
log "go: $(go version); cert-manager $version; key $KEY; output $BIN"
ldflags="-s -w -X github.com/cert-manager/cert-manager/pkg/util.AppVersion=$version"

total_start=$(date +%s)
# name|package (in the module dir)
for t in "cert-manager-controller|./controller" "cert-manager-webhook|./webhook"; do
  IFS='|' read -r name pkg <<<"$t"
  if [[ -x "$BIN/$name" ]]; then
    log "$name: already built, skipping"
    continue
  fi
  start=$(date +%s)
  log "$name: go build -p 2 -trimpath -ldflags '<stamps>' -o $BIN/$name.partial $pkg"
  if ! (cd "$MOD_DIR" && go build -p 2 -trimpath -ldflags "$ldflags" -o "$BIN/$name.partial" "$pkg") 2>&1 | tee -a "$LOG" >&2; then
    log "$name: BUILD FAILED (see $LOG)"
    exit 1
  fi
  [[ -x "$BIN/$name.partial" ]] || { log "$name: BUILD FAILED (no output)"; exit 1; }
  mv -f "$BIN/$name.partial" "$BIN/$name"
  log "$name: built in $(( $(date +%s) - start ))s"
done

# The CRDs: the module ships them as plain manifests in deploy/crds (the Helm
# chart's copies are templated); copied as they are, one file per CRD.
src="$(cd "$MOD_DIR" && go mod download -json "github.com/cert-manager/cert-manager@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
[[ -d "$src/deploy/crds" ]] || { log "crds: deploy/crds not found in '$src'"; exit 1; }
rm -rf "$DIR/crds.partial"
mkdir -p "$DIR/crds.partial"
for f in "$src"/deploy/crds/*.yaml; do
  grep -q '^kind: CustomResourceDefinition$' "$f" || continue
  install -m 0644 "$f" "$DIR/crds.partial/"
done
count=$(find "$DIR/crds.partial" -name '*.yaml' | wc -l)
[[ "$count" -ge 6 ]] || { log "crds: expected at least 6 CRDs, found $count"; exit 1; }
rm -rf "$DIR/crds"
mv "$DIR/crds.partial" "$DIR/crds"
log "crds: $count CustomResourceDefinitions copied to $DIR/crds"

date -u +%Y-%m-%dT%H:%M:%SZ >"$DIR/.complete"
ln -sfn "$KEY" "$CACHE_ROOT/current"
log "cert-manager built in $(( $(date +%s) - total_start ))s"
echo "$BIN"
