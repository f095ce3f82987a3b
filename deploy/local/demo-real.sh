#!/usr/bin/env bash
# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0
#
# The demo on the real node (`make demo-real`): the local control plane plus a real node
# (containerd, kubelet, kube-proxy, CoreDNS in a network namespace of its own), the operator
# running in-cluster from its image under deploy/'s ServiceAccount and RBAC, a Tenant of
# 4 RustFS 1.0.1 servers (deploy/local/real-node-tenant.yaml) reaching Ready, then an S3 bucket,
# PUT and GET through the Tenant's io Service, and the commands to do it yourself.
#
# Needs root. Interactive by default (keeps the cluster until Ctrl-C); DEMO_NONINTERACTIVE=1
# (or CI=true) exits 0 once the object read back matches, non-zero otherwise.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
timeout=${DEMO_TIMEOUT:-300}
noninteractive=${DEMO_NONINTERACTIVE:-${CI:-}}
work=$(mktemp -d "${TMPDIR:-/tmp}/rustfs-demo-real.XXXXXX")
cluster_pid=""

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cleanup() {
  local status=$?
  if [ "$status" -ne 0 ] && [ -n "${KUBECONFIG:-}" ]; then
    kubectl get pods -A -o wide >&2 || true
    kubectl logs -n rustfs-system deployment/rustfs-operator --tail=30 >&2 || true
  fi
  # SIGTERM: the launcher tears the node down (processes, mounts, namespace, cgroups).
  if [ -n "$cluster_pid" ]; then kill -TERM "$cluster_pid" 2>/dev/null || true; wait "$cluster_pid" 2>/dev/null || true; fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Building the binaries and images (cached; no-ops when current)"
bin=$(deploy/local/build.sh)
kubectl() { "$bin/kubectl" "$@"; }
deploy/local/node-packages.sh
deploy/local/rustfs.sh >/dev/null
cargo build --quiet --bin local-cluster -p local-cluster

say "Starting the control plane and the real node (the launcher imports the images)"
target/debug/local-cluster up --real-node --kubeconfig-out "$work/admin.kubeconfig" \
  --env-out "$work/cluster.env" >"$work/cluster.log" 2>&1 &
cluster_pid=$!
for _ in $(seq 1 1200); do
  [ -s "$work/cluster.env" ] && break
  kill -0 "$cluster_pid" 2>/dev/null || { cat "$work/cluster.log" >&2; exit 1; }
  sleep 0.5
done
[ -s "$work/cluster.env" ] || { echo "control plane did not start" >&2; cat "$work/cluster.log" >&2; exit 1; }
export KUBECONFIG="$work/admin.kubeconfig"
kubectl get nodes -o wide

say "Installing the CRD and deploy/ (namespace, RBAC, the operator's Deployment)"
kubectl apply --server-side -f deploy/crd/tenant.yaml
for _ in $(seq 1 120); do
  [ "$(kubectl get crd/tenants.rustfs.com -o jsonpath='{.status.conditions[?(@.type=="Established")].status}')" = True ] && break
  sleep 0.5
done
# shellcheck disable=SC1091
. "$work/cluster.env"
kubectl apply -f deploy/namespace.yaml -f deploy/rbac.yaml -f deploy/deployment.yaml
# The in-cluster operator exports its spans to the launcher's Jaeger, through the host's end
# of the node's veth (LOCAL_CLUSTER_POD_OTLP_HTTP_ENDPOINT).
kubectl set env deployment/rustfs-operator -n rustfs-system \
  OTEL_EXPORTER_OTLP_ENDPOINT="$LOCAL_CLUSTER_POD_OTLP_HTTP_ENDPOINT" \
  OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
kubectl rollout status deployment/rustfs-operator -n rustfs-system --timeout=180s

say "Applying deploy/local/real-node-tenant.yaml (4 servers x 1 volume, credentials Secret)"
kubectl create namespace demo
# RustFS's own traces go to the same Jaeger (spec.logging.otlpEndpoint).
sed "s|@OTLP_HTTP_ENDPOINT@|$LOCAL_CLUSTER_POD_OTLP_HTTP_ENDPOINT|" deploy/local/real-node-tenant.yaml |
  kubectl apply -n demo -f -
start=$(date +%s)
phase=""
while [ $(( $(date +%s) - start )) -lt "$timeout" ]; do
  phase=$(kubectl get tenant real -n demo -o jsonpath='{.status.phase}')
  [ "$phase" = Ready ] && break
  sleep 1
done
kubectl get tenant -n demo -o wide
kubectl get pods -n demo -o wide
[ "$phase" = Ready ] || { echo "Tenant not Ready after ${timeout}s" >&2; exit 1; }
echo "Ready in $(( $(date +%s) - start )) s"

say "S3 through the real-io Service (curl signs with AWS SigV4)"
ip=$(kubectl get service real-io -n demo -o jsonpath='{.spec.clusterIP}')
# kube-proxy programs a new Service asynchronously: wait until it answers.
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "http://$ip:9000/health/ready" && break
  sleep 0.5
done
ak=$(kubectl get secret real-creds -n demo -o jsonpath='{.data.accesskey}' | base64 -d)
sk=$(kubectl get secret real-creds -n demo -o jsonpath='{.data.secretkey}' | base64 -d)
# curl signs with SigV4 but (7.88) sends no x-amz-content-sha256, which RustFS requires:
# the hash of the empty body for bucket and GET requests, UNSIGNED-PAYLOAD for the upload.
empty=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
s3() { curl -fsS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ak:$sk" "$@"; }
head -c 1048576 /dev/urandom >"$work/object"
s3 -X PUT -H "x-amz-content-sha256: $empty" "http://$ip:9000/demo-bucket"
s3 -T "$work/object" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "http://$ip:9000/demo-bucket/hello.bin"
s3 -H "x-amz-content-sha256: $empty" -o "$work/object.back" "http://$ip:9000/demo-bucket/hello.bin"
cmp "$work/object" "$work/object.back"
echo "PUT and GET of a 1 MiB object: identical ($(sha256sum <"$work/object" | cut -c1-16)...)"

say "Both in one Jaeger: the operator's transitions and RustFS's own traces"
services=""
for _ in $(seq 1 60); do
  services=$(curl -fsS "$JAEGER_QUERY_URL/api/services" | python3 -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)["data"] or [])))')
  case " $services " in
    *" rustfs-operator "*) [ "$(echo "$services" | tr ' ' '\n' | grep -c -v -e '^rustfs-operator$' -e '^jaeger$' -e '^$')" -ge 1 ] && break ;;
  esac
  sleep 1
done
echo "Jaeger services: $services"
case " $services " in *" rustfs-operator "*) ;; *) echo "no operator spans in Jaeger" >&2; exit 1 ;; esac
[ "$(echo "$services" | tr ' ' '\n' | grep -c -v -e '^rustfs-operator$' -e '^jaeger$' -e '^$')" -ge 1 ] ||
  { echo "no RustFS spans in Jaeger" >&2; exit 1; }
for svc in $services; do
  [ "$svc" = jaeger ] && continue
  n=$(curl -fsS "$JAEGER_QUERY_URL/api/traces?service=$svc&limit=20&lookback=1h" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"] or []))')
  echo "  $svc: $n recent traces"
done

cat <<TXT

Try it yourself (while this runs):
  export KUBECONFIG=$work/admin.kubeconfig
  kubectl get tenant -n demo -o wide
  kubectl logs -n demo real-pool-0-0 | tail
  curl -s "$JAEGER_QUERY_URL/api/services"     # traces: the operator's and RustFS's
  curl --aws-sigv4 aws:amz:us-east-1:s3 --user "\$AK:\$SK" -H "x-amz-content-sha256: $empty" \\
    http://$ip:9000/demo-bucket/
  (AK/SK: kubectl get secret real-creds -n demo -o jsonpath='{.data.accesskey}' | base64 -d)
TXT

if [ -n "$noninteractive" ]; then
  exit 0
fi
say "Cluster up; Ctrl-C to stop and tear everything down"
wait "$cluster_pid"
