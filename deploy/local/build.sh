#!/usr/bin/env bash
# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Builds the local control plane binaries (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubectl, kwok, jaeger), helm, and the
# real node's (kubelet, kube-proxy, CoreDNS, and pause compiled with gcc from the
# k8s.io/kubernetes module's build/pause/linux/pause.c) from the Go modules under
# deploy/local/go into a cache outside the repository:
#
#   ${RUSTFS_OPERATOR_CACHE:-$HOME/.cache/rustfs-operator}/controlplane/<key>/bin
#
# <key> is a hash of every go.mod, go.sum and .go file under deploy/local/go
# plus RECIPE below, so changing a pinned version selects a fresh directory.
# A finished directory holds a `.complete` marker and is reused as is: a second
# run is a no-op. Binaries already present in an unfinished directory are kept,
# so an interrupted build resumes. Logs go to stderr (and <key>/build.log);
# stdout carries only the bin dir, so `BIN=$(deploy/local/build.sh)` works.
#
# Usage: deploy/local/build.sh [--print-key] [--print-dir]
set -euo pipefail

# Bump when the build recipe (flags, binary list) changes without any module
# file changing. The launcher's build.rs reads this line, keep its shape.
RECIPE=2

K8S_VERSION=v1.36.3
JAEGER_VERSION=v1.76.0

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GO_DIR="$HERE/go"
CACHE_ROOT="${RUSTFS_OPERATOR_CACHE:-$HOME/.cache/rustfs-operator}/controlplane"

# The key recipe is mirrored by deploy/local/launcher/build.rs: one
# "<sha256>  <path>" line per file (paths relative to deploy/local, byte
# order), then "recipe=<RECIPE>", hashed again; the first 16 hex digits.
compute_key() {
  (
    cd "$HERE"
    find go -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) -print |
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
  echo "control plane binaries are current: $BIN" >&2
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
log() { echo "[build.sh $(date +%H:%M:%S)] $*" | tee -a "$LOG" >&2; }

log "go: $(go version); key $KEY; output $BIN"

# Version stamps for the Kubernetes binaries (the same variables the upstream
# hack/lib/version.sh sets, in both places that carry them).
k8s_ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=36"
  k8s_ldflags+=" -X $p.gitTreeState=clean"
done
jaeger_ldflags="-s -w -X github.com/jaegertracing/jaeger/internal/version.latestVersion=$JAEGER_VERSION"

# helm: the stamps upstream's Makefile sets. Both versions come from go/helm/go.mod
# (the module pin is the only place to change): helm's own version, and the
# Kubernetes version its client-go release targets (`helm template`'s default
# .Capabilities.KubeVersion and the lint deprecation checks).
helm_version="$(cd "$GO_DIR/helm" && go list -m -f '{{.Version}}' helm.sh/helm/v3)"
helm_k8s_minor="$(cd "$GO_DIR/helm" && go list -m -f '{{.Version}}' k8s.io/client-go | cut -d. -f2)"
helm_ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$helm_version"
helm_ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
for p in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  helm_ldflags+=" -X $p.k8sVersionMajor=1 -X $p.k8sVersionMinor=$helm_k8s_minor"
done

# name|module dir|package|ldflags
targets=(
  "etcd|etcd|.|-s -w"
  "kube-apiserver|kubernetes|k8s.io/kubernetes/cmd/kube-apiserver|$k8s_ldflags"
  "kube-controller-manager|kubernetes|k8s.io/kubernetes/cmd/kube-controller-manager|$k8s_ldflags"
  "kube-scheduler|kubernetes|k8s.io/kubernetes/cmd/kube-scheduler|$k8s_ldflags"
  "kubectl|kubernetes|k8s.io/kubernetes/cmd/kubectl|$k8s_ldflags"
  "kubelet|kubernetes|k8s.io/kubernetes/cmd/kubelet|$k8s_ldflags"
  "kube-proxy|kubernetes|k8s.io/kubernetes/cmd/kube-proxy|$k8s_ldflags"
  "coredns|coredns|.|-s -w"
  "kwok|kwok|sigs.k8s.io/kwok/cmd/kwok|-s -w"
  "jaeger|jaeger|github.com/jaegertracing/jaeger/cmd/jaeger|$jaeger_ldflags"
  "helm|helm|helm.sh/helm/v3/cmd/helm|$helm_ldflags"
)

total_start=$(date +%s)
for t in "${targets[@]}"; do
  IFS='|' read -r name mod pkg ldflags <<<"$t"
  if [[ -x "$BIN/$name" ]]; then
    log "$name: already built, skipping"
    continue
  fi
  start=$(date +%s)
  log "$name: go build -p 2 -trimpath -ldflags '<stamps>' -o $BIN/$name.partial $pkg (in go/$mod)"
  if ! (cd "$GO_DIR/$mod" && go build -p 2 -trimpath -ldflags "$ldflags" -o "$BIN/$name.partial" "$pkg") 2>&1 | tee -a "$LOG" >&2; then
    log "$name: BUILD FAILED (see $LOG)"
    exit 1
  fi
  # pipefail carries go's status through tee; double-check the output anyway.
  [[ -x "$BIN/$name.partial" ]] || { log "$name: BUILD FAILED (no output)"; exit 1; }
  mv -f "$BIN/$name.partial" "$BIN/$name"
  log "$name: built in $(( $(date +%s) - start ))s"
done

# pause: the sandbox process of every real pod, a static C program shipped in the
# k8s.io/kubernetes module (the same flags as its build/pause/Makefile).
if [[ ! -x "$BIN/pause" ]]; then
  command -v gcc >/dev/null || { log "pause: gcc not found"; exit 1; }
  k8s_src="$(cd "$GO_DIR/kubernetes" && go mod download -json k8s.io/kubernetes | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [[ -f "$k8s_src/build/pause/linux/pause.c" ]] || { log "pause: pause.c not found in '$k8s_src'"; exit 1; }
  log "pause: gcc -Os -Wall -Werror -static $k8s_src/build/pause/linux/pause.c"
  gcc -Os -Wall -Werror -static -DVERSION="$K8S_VERSION" -o "$BIN/pause.partial" \
    "$k8s_src/build/pause/linux/pause.c" 2>&1 | tee -a "$LOG" >&2
  mv -f "$BIN/pause.partial" "$BIN/pause"
fi

date -u +%Y-%m-%dT%H:%M:%SZ >"$DIR/.complete"
ln -sfn "$KEY" "$CACHE_ROOT/current"
log "all binaries built in $(( $(date +%s) - total_start ))s"
echo "$BIN"
