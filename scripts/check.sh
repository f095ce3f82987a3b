#!/usr/bin/env bash
# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Health check of an installation: CRD, operator Deployment, Tenant phases.
# Run `scripts/check.sh --help` for the options.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<EOF
Usage: scripts/check.sh [options]

Checks the rustfs-operator installation in the current kube context:
  1. the CRD $CRD_NAME exists and is Established;
  2. an operator Deployment (label $OPERATOR_LABEL) exists and is Available;
  3. lists every Tenant with its phase, and fails if any is Failed or Degraded.
Every check runs; the exit status sums them up.

  -n, --namespace NS          look for the operator in NS only (default: every namespace)
  -t, --tenant-namespace NS   list Tenants of NS only (default: every namespace)
  -h, --help                  this text

Exit status: 0 all good, 1 a check failed, 2 wrong usage.
Environment: KUBECONFIG selects the cluster, KUBECTL the kubectl binary.
EOF
}

operator_ns=""
tenant_ns=""
while (($# > 0)); do
  case "$1" in
    -n | --namespace)
      (($# >= 2)) || usage_error "$1 needs a value"
      operator_ns="$2"
      shift
      ;;
    -t | --tenant-namespace)
      (($# >= 2)) || usage_error "$1 needs a value"
      tenant_ns="$2"
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) usage_error "unknown argument: $1" ;;
  esac
  shift
done

require_kubectl
failures=0
fail() {
  printf 'FAIL  %s\n' "$*"
  failures=$((failures + 1))
}
ok() { printf 'ok    %s\n' "$*"; }

# 1. The CRD.
crd_ok=0
crd="$(kc get crd "$CRD_NAME" -o name --ignore-not-found)" || die "cannot reach the API server"
if [[ -z "$crd" ]]; then
  fail "CRD $CRD_NAME is not installed (scripts/deploy.sh installs it)"
elif [[ "$(crd_established)" != "True" ]]; then
  fail "CRD $CRD_NAME exists but is not Established"
else
  ok "CRD $CRD_NAME is Established"
  crd_ok=1
fi

# 2. The operator Deployment(s).
scope=(--all-namespaces)
[[ -z "$operator_ns" ]] || scope=(-n "$operator_ns")
deployments="$(kc get deployment "${scope[@]}" -l "$OPERATOR_LABEL" -o jsonpath='{range .items[*]}{.metadata.namespace}{"\t"}{.metadata.name}{"\t"}{.status.conditions[?(@.type=="Available")].status}{"\t"}{.status.readyReplicas}{"/"}{.spec.replicas}{"\n"}{end}')"
if [[ -z "$deployments" ]]; then
  fail "no operator Deployment (label $OPERATOR_LABEL) in ${operator_ns:-any namespace}"
else
  while IFS=$'\t' read -r ns name available ready; do
    [[ -n "$name" ]] || continue
    if [[ "$available" == "True" ]]; then
      ok "deployment $ns/$name is Available (ready ${ready})"
    else
      fail "deployment $ns/$name is not Available (ready ${ready}); see: kubectl -n $ns describe deployment/$name"
    fi
  done <<<"$deployments"
fi

# 3. Tenants and their phases.
if ((crd_ok)); then
  scope=(--all-namespaces)
  [[ -z "$tenant_ns" ]] || scope=(-n "$tenant_ns")
  tenants="$(kc get tenants "${scope[@]}" -o jsonpath='{range .items[*]}{.metadata.namespace}{"\t"}{.metadata.name}{"\t"}{.status.phase}{"\t"}{.status.ready}{"\t"}{.status.message}{"\n"}{end}')"
  if [[ -z "$tenants" ]]; then
    ok "no Tenants in ${tenant_ns:-any namespace}"
  else
    printf '\n%-20s %-24s %-16s %-7s %s\n' NAMESPACE TENANT PHASE READY MESSAGE
    bad=()
    while IFS=$'\t' read -r ns name phase ready message; do
      [[ -n "$name" ]] || continue
      printf '%-20s %-24s %-16s %-7s %s\n' "$ns" "$name" "${phase:--}" "${ready:--}" "${message:-}"
      case "$phase" in
        Failed | Degraded) bad+=("tenant $ns/$name is $phase; see: kubectl describe tenant -n $ns $name") ;;
      esac
    done <<<"$tenants"
    echo
    if ((${#bad[@]} > 0)); then
      for line in "${bad[@]}"; do fail "$line"; done
    else
      ok "no Tenant is Failed or Degraded"
    fi
  fi
fi

if ((failures > 0)); then
  echo "check: $failures problem(s)"
  exit 1
fi
echo "check: all good"
