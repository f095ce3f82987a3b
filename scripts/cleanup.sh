#!/usr/bin/env bash
# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Uninstalls the operator. Keeps every Tenant and every volume unless told otherwise twice.
# Run `scripts/cleanup.sh --help` for the options.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<EOF
Usage: scripts/cleanup.sh [options]

Uninstalls the rustfs-operator from the current kube context: its Deployment, metrics
Service, PodDisruptionBudget, ServiceAccount, ClusterRole and ClusterRoleBinding, and the
leader election's Role and RoleBinding. By default it KEEPS the
Tenant CRD, every Tenant, their StatefulSets, PersistentVolumeClaims and Secrets: the
RustFS servers keep running and the data stays. The operator namespace is removed only
when this tooling created it and it holds no Tenant and no PersistentVolumeClaim.

  --helm                 the operator was installed with Helm: helm uninstall the release
  -n, --namespace NS     operator namespace (default $DEFAULT_NAMESPACE)
  --release NAME         Helm release name (default $DEFAULT_RELEASE)

Destroying data takes two arguments, so it never happens by accident:
  --delete-data                    delete Tenants and their volumes ...
  --confirm-delete-data NS         ... in namespace NS (repeat for more namespaces). Every
                                   Tenant in NS is deleted (its StatefulSets and pods go
                                   with it), then every PersistentVolumeClaim the operator
                                   made there ($TENANT_PVC_SELECTOR).
                                   Credential Secrets are yours and stay.
  --delete-crd                     also delete the CRD $CRD_NAME; refused while any
                                   Tenant exists in any namespace
  -h, --help                       this text

Environment: KUBECONFIG selects the cluster; KUBECTL and HELM name the binaries.
EOF
}

mode=kustomize
namespace="$DEFAULT_NAMESPACE"
release="$DEFAULT_RELEASE"
delete_data=0
delete_crd=0
confirmed=()

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
    --delete-data) delete_data=1 ;;
    --confirm-delete-data)
      (($# >= 2)) || usage_error "$1 needs a namespace"
      [[ -n "$2" ]] || usage_error "$1 needs a namespace"
      confirmed+=("$2")
      shift
      ;;
    --confirm-delete-data=*)
      [[ -n "${1#*=}" ]] || usage_error "--confirm-delete-data needs a namespace"
      confirmed+=("${1#*=}")
      ;;
    --delete-crd) delete_crd=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) usage_error "unknown argument: $1" ;;
  esac
  shift
done

if ((delete_data)) && ((${#confirmed[@]} == 0)); then
  usage_error "--delete-data deletes Tenants and their volumes; name each namespace with --confirm-delete-data NS. Nothing was deleted"
fi
if ((!delete_data)) && ((${#confirmed[@]} > 0)); then
  usage_error "--confirm-delete-data needs --delete-data as well. Nothing was deleted"
fi

require_kubectl
kc get --raw /version >/dev/null || die "cannot reach the API server"

# --delete-crd is refused up front (before anything is removed) when Tenants outside the
# confirmed namespaces would go with the CRD.
if ((delete_crd)); then
  outside="$(count_tenants "")"
  for ns in ${confirmed[@]+"${confirmed[@]}"}; do
    in_ns="$(count_tenants "$ns")"
    outside=$((outside - in_ns))
  done
  if ((outside > 0)); then
    die "refusing --delete-crd: $outside Tenant(s) outside the namespaces confirmed for deletion still exist, and deleting the CRD deletes them (kubectl get tenants -A). Nothing was deleted"
  fi
fi

# 1. Data, only when asked for twice (the operator may still run: it never deletes, and
#    the garbage collector removes a Tenant's StatefulSets through their owner references).
if ((delete_data)); then
  for ns in "${confirmed[@]}"; do
    log "DELETING DATA in namespace $ns: every Tenant, then the volume claims the operator made"
    crd="$(kc get crd "$CRD_NAME" -o name --ignore-not-found)"
    if [[ -n "$crd" ]]; then
      # Foreground: each Tenant goes only after its StatefulSets (and their pods), so no
      # pod still holds a claim when the claims are deleted below.
      kc delete tenants --all -n "$ns" --cascade=foreground --wait=true --timeout=300s
    fi
    kc delete pvc -n "$ns" -l "$TENANT_PVC_SELECTOR" --wait=true --timeout=300s
  done
fi

# 2. The operator.
if [[ "$mode" == kustomize ]]; then
  helm_release="$(kc get deployment -n "$namespace" -l "$OPERATOR_LABEL,app.kubernetes.io/managed-by=Helm" \
    -o jsonpath='{range .items[*]}{.metadata.labels.app\.kubernetes\.io/instance}{"\n"}{end}' | head -n 1)"
  if [[ -n "$helm_release" ]]; then
    die "the operator in $namespace belongs to Helm release $helm_release: run with --helm --release $helm_release"
  fi
  log "removing the operator (deploy/deployment.yaml, deploy/rbac.yaml) from $namespace"
  # The manifests name rustfs-system; -n cannot move them, so a different namespace is
  # handled object by object.
  if [[ "$namespace" == "$DEFAULT_NAMESPACE" ]]; then
    kc delete -f deploy/deployment.yaml -f deploy/rbac.yaml --ignore-not-found --wait=true
  else
    kc delete -n "$namespace" deployment/rustfs-operator service/rustfs-operator-metrics \
      poddisruptionbudget/rustfs-operator serviceaccount/rustfs-operator \
      role/rustfs-operator-leader-election rolebinding/rustfs-operator-leader-election \
      --ignore-not-found --wait=true
    kc delete clusterrolebinding/rustfs-operator clusterrole/rustfs-operator --ignore-not-found
  fi
else
  resolve_helm
  if "$HELM" status "$release" --namespace "$namespace" >/dev/null 2>&1; then
    log "helm uninstall $release -n $namespace"
    "$HELM" uninstall "$release" --namespace "$namespace" --wait
  else
    log "no Helm release $release in namespace $namespace: nothing to uninstall"
  fi
fi

# 3. The operator namespace: only if this tooling made it and no data lives in it.
ns_label="$(kc get namespace "$namespace" --ignore-not-found \
  -o jsonpath='{.metadata.labels.app\.kubernetes\.io/name}')"
if [[ "$ns_label" == rustfs-operator ]]; then
  ns_tenants="$(count_tenants "$namespace")"
  ns_pvcs="$(count_tenant_pvcs "$namespace")"
  ns_all_pvcs="$(kc get pvc -n "$namespace" -o name)"
  if ((ns_tenants == 0 && ns_pvcs == 0)) && [[ -z "$ns_all_pvcs" ]]; then
    log "removing namespace $namespace (it holds no Tenant and no volume claim)"
    kc delete namespace "$namespace" --wait=true --timeout=300s
  else
    log "keeping namespace $namespace: it holds Tenants or PersistentVolumeClaims"
  fi
fi

# 4. The CRD: deleting it would delete every Tenant, so only once none is left.
if ((delete_crd)); then
  left="$(count_tenants "")"
  if ((left > 0)); then
    die "refusing to delete CRD $CRD_NAME: $left Tenant(s) still exist (deleting the CRD deletes them); see kubectl get tenants -A"
  fi
  log "deleting CRD $CRD_NAME"
  kc delete crd "$CRD_NAME" --ignore-not-found --wait=true
fi

# 5. What was kept, and how to remove it on purpose.
tenants_left="$(count_tenants "")"
pvcs_left="$(count_tenant_pvcs "")"
if ((tenants_left > 0 || pvcs_left > 0)); then
  cat <<EOF
Kept: $tenants_left Tenant(s) and $pvcs_left operator-made PersistentVolumeClaim(s) (your data):
  kubectl get tenants -A
  kubectl get pvc -A -l $TENANT_PVC_SELECTOR
To delete them ON PURPOSE, per namespace (this destroys the objects stored there):
  scripts/cleanup.sh --delete-data --confirm-delete-data <namespace>
EOF
fi
crd="$(kc get crd "$CRD_NAME" -o name --ignore-not-found)"
if [[ -n "$crd" ]]; then
  echo "Kept: CRD $CRD_NAME (remove it with --delete-crd once no Tenant is left)."
fi
echo "cleanup: done"
