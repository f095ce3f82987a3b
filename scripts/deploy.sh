#!/usr/bin/env bash
# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Installs or upgrades the Tenant CRD and the operator in the current kube context.
# Run `scripts/deploy.sh --help` for the options.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<EOF
Usage: scripts/deploy.sh [options]

Installs (or upgrades) the Tenant CRD and the rustfs-operator into the current kube
context, then waits until the operator Deployment is available. Re-running it is safe.

  (default)            kubectl apply --server-side -k deploy/ : CRD, namespace
                       $DEFAULT_NAMESPACE, RBAC, Deployment, metrics Service
  --helm               use the Helm chart $CHART_DIR instead; the CRD is applied
                       with kubectl first (Helm never upgrades CRDs itself)
  -n, --namespace NS   operator namespace with --helm (default $DEFAULT_NAMESPACE); created
                       with the restricted Pod Security label when missing
  --release NAME       Helm release name (default $DEFAULT_RELEASE)
  --set KEY=VALUE      chart value, repeatable (--helm only), e.g. --set watchNamespace=tenants
  -f, --values FILE    chart values file, repeatable (--helm only)
  --no-wait            do not wait for the Deployment to become available
  --timeout SECONDS    how long to wait for the CRD and the Deployment (default 180)
  -h, --help           this text

Environment: KUBECONFIG (and the current context) select the cluster; KUBECTL and HELM
name the binaries to run (default: kubectl and helm from PATH; helm falls back to the one
deploy/local/build.sh builds).
EOF
}

mode=kustomize
namespace=""
release="$DEFAULT_RELEASE"
wait=1
timeout=180
helm_args=()

while (($# > 0)); do
  case "$1" in
    --helm) mode=helm ;;
    -n | --namespace)
      (($# >= 2)) || usage_error "$1 needs a value"
      namespace="$2"
      shift
      ;;
    --release)
      (($# >= 2)) || usage_error "$1 needs a value"
      release="$2"
      shift
      ;;
    --set)
      (($# >= 2)) || usage_error "$1 needs a value"
      helm_args+=(--set "$2")
      shift
      ;;
    -f | --values)
      (($# >= 2)) || usage_error "$1 needs a value"
      helm_args+=(--values "$(user_path "$2")")
      shift
      ;;
    --no-wait) wait=0 ;;
    --timeout)
      (($# >= 2)) || usage_error "$1 needs a value"
      [[ "$2" =~ ^[0-9]+$ ]] || usage_error "--timeout takes whole seconds"
      timeout="$2"
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

if [[ "$mode" == kustomize ]]; then
  [[ -z "$namespace" ]] || usage_error "-n/--namespace needs --helm (deploy/kustomization.yaml installs into $DEFAULT_NAMESPACE)"
  ((${#helm_args[@]} == 0)) || usage_error "--set and --values need --helm"
fi
namespace="${namespace:-$DEFAULT_NAMESPACE}"

require_kubectl

if [[ "$mode" == kustomize ]]; then
  log "applying deploy/ (CRD, namespace $namespace, RBAC, Deployment, Service)"
  kc apply --server-side --field-manager=rustfs-operator-deploy -k deploy/
  wait_crd_established "$timeout"
  deployment="rustfs-operator"
else
  resolve_helm
  if ! kc get namespace "$namespace" >/dev/null 2>&1; then
    log "creating namespace $namespace"
    kc apply --server-side --field-manager=rustfs-operator-deploy -f - <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $namespace
  labels:
    app.kubernetes.io/name: rustfs-operator
    pod-security.kubernetes.io/enforce: restricted
EOF
  fi
  log "applying the Tenant CRD"
  kc apply --server-side --field-manager=rustfs-operator-deploy -f "$CHART_DIR/crds/tenant.yaml"
  wait_crd_established "$timeout"
  log "helm upgrade --install $release $CHART_DIR -n $namespace"
  "$HELM" upgrade --install "$release" "$CHART_DIR" --namespace "$namespace" --skip-crds \
    ${helm_args[@]+"${helm_args[@]}"}
  deployment="$(kc get deployment -n "$namespace" \
    -l "$OPERATOR_LABEL,app.kubernetes.io/instance=$release" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | head -n 1)"
  [[ -n "$deployment" ]] || die "the release $release made no operator Deployment in $namespace"
fi

if ((wait)); then
  log "waiting for deployment/$deployment in $namespace"
  kc rollout status "deployment/$deployment" -n "$namespace" --timeout="${timeout}s"
fi
log "done: the operator runs as deployment/$deployment in namespace $namespace; check with scripts/check.sh"
