# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Shared by the scripts in scripts/: sourced, never run. Moves to the repository root
# (so every relative path below works from any directory), keeps the caller's directory
# in CALLER_PWD for paths the user passes, and picks the kubectl and helm to run.
# shellcheck shell=bash

CALLER_PWD="$PWD"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT" || exit 1

# Relative KUBECONFIG entries were meant relative to the caller's directory.
if [[ -n "${KUBECONFIG:-}" ]]; then
  abs_kubeconfig=""
  IFS=':' read -r -a kubeconfig_parts <<<"$KUBECONFIG"
  for part in "${kubeconfig_parts[@]}"; do
    [[ -z "$part" ]] && continue
    [[ "$part" == /* ]] || part="$CALLER_PWD/$part"
    abs_kubeconfig+="${abs_kubeconfig:+:}$part"
  done
  export KUBECONFIG="$abs_kubeconfig"
  unset abs_kubeconfig kubeconfig_parts part
fi

# shellcheck disable=SC2034 # used by the scripts that source this file
CRD_NAME="tenants.rustfs.com"
# shellcheck disable=SC2034
CHART_DIR="deploy/helm/rustfs-operator"
# shellcheck disable=SC2034
DEFAULT_NAMESPACE="rustfs-system"
# shellcheck disable=SC2034
DEFAULT_RELEASE="rustfs-operator"
# The label every operator object carries, whichever way it was installed.
# shellcheck disable=SC2034
OPERATOR_LABEL="app.kubernetes.io/name=rustfs-operator"
# What the operator puts on the PersistentVolumeClaims of a Tenant's pools.
# shellcheck disable=SC2034
TENANT_PVC_SELECTOR="app.kubernetes.io/managed-by=rustfs-operator,rustfs.com/tenant"

KUBECTL="${KUBECTL:-kubectl}"

log() { printf '%s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}
usage_error() {
  printf 'error: %s (see --help)\n' "$*" >&2
  exit 2
}

# A path the user gave, made absolute against the directory they ran the script from.
user_path() {
  if [[ "$1" == /* ]]; then printf '%s\n' "$1"; else printf '%s\n' "$CALLER_PWD/$1"; fi
}

kc() { "$KUBECTL" "$@"; }

require_kubectl() {
  command -v "$KUBECTL" >/dev/null 2>&1 || die "kubectl not found (install it, or set KUBECTL=/path/to/kubectl)"
}

# HELM from the environment, else helm on PATH, else the one deploy/local/build.sh builds.
resolve_helm() {
  if [[ -n "${HELM:-}" ]]; then
    command -v "$HELM" >/dev/null 2>&1 || die "HELM=$HELM is not executable"
    return
  fi
  if command -v helm >/dev/null 2>&1; then
    HELM=helm
    return
  fi
  local cached
  cached="$(deploy/local/build.sh --print-dir)/helm"
  [[ -x "$cached" ]] || die "helm not found: install Helm 3, set HELM=/path/to/helm, or run deploy/local/build.sh"
  HELM="$cached"
}

# Prints the Established condition of the Tenant CRD: True, False, or nothing.
crd_established() {
  kc get crd "$CRD_NAME" -o jsonpath='{.status.conditions[?(@.type=="Established")].status}' 2>/dev/null || true
}

# Waits (up to $1 seconds) for the CRD to be Established. `kubectl wait` fails while the
# CRD has no conditions yet, so this polls.
wait_crd_established() {
  local deadline=$((SECONDS + $1))
  until [[ "$(crd_established)" == "True" ]]; do
    ((SECONDS < deadline)) || die "CRD $CRD_NAME is not Established after $1s"
    sleep 0.5
  done
}

# Number of Tenants in namespace $1 (all namespaces when empty); 0 without the CRD. Fails
# (rather than guessing 0) when the API server cannot be asked: callers base deletions on it.
# Assign the result to a plain variable (n="$(count_tenants ns)") so `set -e` sees a failure.
count_tenants() {
  local scope=(--all-namespaces) out
  [[ -n "$1" ]] && scope=(-n "$1")
  out="$(kc get crd "$CRD_NAME" -o name --ignore-not-found)" || die "cannot read CRD $CRD_NAME"
  if [[ -z "$out" ]]; then
    echo 0
    return
  fi
  out="$(kc get tenants "${scope[@]}" -o name)" || die "cannot list Tenants"
  grep -c . <<<"$out" || true
}

# Number of operator-made PersistentVolumeClaims in namespace $1 (all when empty); same
# contract as count_tenants.
count_tenant_pvcs() {
  local scope=(--all-namespaces) out
  [[ -n "$1" ]] && scope=(-n "$1")
  out="$(kc get pvc "${scope[@]}" -l "$TENANT_PVC_SELECTOR" -o name)" || die "cannot list PersistentVolumeClaims"
  grep -c . <<<"$out" || true
}
