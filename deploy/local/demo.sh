#!/usr/bin/env bash
# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0
#
# The local demo (`make demo`): a real control plane from the Go-built binaries (etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, kwok fake nodes, Jaeger), the CRD
# and RBAC from deploy/, `rustfs-operator server` running as its own ServiceAccount with
# traces going to Jaeger, `rustfs-operator console` (the web console, acting as whoever signs
# in), and a Tenant from examples/ reaching Ready.
#
# Interactive by default: it keeps the cluster up until Ctrl-C. With DEMO_NONINTERACTIVE=1
# (or CI=true) it exits 0 once the Tenant is Ready, non-zero otherwise. Runs from any directory.
#
# Options (environment): DEMO_EXAMPLE=examples/<file>.yaml  DEMO_TIMEOUT=<seconds>
#                        DEMO_CONSOLE_ADDR=<host:port> (default 127.0.0.1:9090)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
example=${DEMO_EXAMPLE:-examples/minimal-dev-tenant.yaml}
timeout=${DEMO_TIMEOUT:-180}
console_addr=${DEMO_CONSOLE_ADDR:-127.0.0.1:9090}
noninteractive=${DEMO_NONINTERACTIVE:-${CI:-}}
work=$(mktemp -d "${TMPDIR:-/tmp}/rustfs-demo.XXXXXX")
pids=()

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ] && [ -f "$work/operator.log" ]; then
    echo "--- operator log (last 40 lines) ---" >&2
    tail -n 40 "$work/operator.log" >&2
  fi
  if [ "$status" -ne 0 ] && [ -f "$work/console.log" ]; then
    echo "--- console log (last 20 lines) ---" >&2
    tail -n 20 "$work/console.log" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Building the control plane binaries (cached; a no-op when current)"
bin=$(deploy/local/build.sh)
kubectl() { "$bin/kubectl" "$@"; }

say "Building rustfs-operator and the local-cluster launcher"
cargo build --quiet --bin rustfs-operator -p rustfs-operator
cargo build --quiet --bin local-cluster -p local-cluster

say "Starting etcd, kube-apiserver, controller-manager, scheduler, kwok (3 fake nodes), Jaeger"
target/debug/local-cluster up --full --kubeconfig-out "$work/admin.kubeconfig" \
  --env-out "$work/cluster.env" >"$work/cluster.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 240); do
  [ -s "$work/cluster.env" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/cluster.log" >&2; exit 1; }
  sleep 0.5
done
[ -s "$work/cluster.env" ] || { echo "control plane did not start" >&2; cat "$work/cluster.log" >&2; exit 1; }
# shellcheck disable=SC1091
source "$work/cluster.env"
export KUBECONFIG="$work/admin.kubeconfig"
kubectl get nodes

say "Installing the CRD, the operator's namespace and least-privilege RBAC (deploy/)"
kubectl apply --server-side -f deploy/crd/tenant.yaml
# (`kubectl wait` errors out while the new CRD has no conditions yet, so poll.)
for _ in $(seq 1 120); do
  [ "$(kubectl get crd/tenants.rustfs.com -o jsonpath='{.status.conditions[?(@.type=="Established")].status}')" = True ] && break
  sleep 0.5
done
kubectl apply -f deploy/namespace.yaml -f deploy/rbac.yaml

# The operator authenticates as its ServiceAccount, exactly as in-cluster.
token=$(kubectl create token rustfs-operator -n rustfs-system --duration=12h)
kubectl config view --raw --minify >"$work/operator.kubeconfig"
KUBECONFIG="$work/operator.kubeconfig" kubectl config set-credentials operator --token="$token" >/dev/null
KUBECONFIG="$work/operator.kubeconfig" kubectl config set-context --current --user=operator >/dev/null

say "Starting rustfs-operator server (traces to Jaeger over OTLP/HTTP)"
KUBECONFIG="$work/operator.kubeconfig" \
  OTEL_EXPORTER_OTLP_ENDPOINT="$LOCAL_CLUSTER_OTLP_HTTP_ENDPOINT" \
  OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
  OTEL_SERVICE_NAME=rustfs-operator \
  POD_NAMESPACE=rustfs-system \
  RUST_LOG=info \
  target/debug/rustfs-operator server --http-addr 127.0.0.1:0 >"$work/operator.log" 2>&1 &
pids+=($!)

say "Starting rustfs-operator console on $console_addr (it acts as whoever signs in)"
# Its own kubeconfig only tells it where the API server is; it calls it with each caller's token.
KUBECONFIG="$work/operator.kubeconfig" RUST_LOG=info \
  target/debug/rustfs-operator console --addr "$console_addr" --jaeger-url "$JAEGER_QUERY_URL" \
  >"$work/console.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  curl -fsS "http://$console_addr/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://$console_addr/readyz" >/dev/null || { echo "the console did not start" >&2; exit 1; }

say "Applying $example in namespace demo"
kubectl create namespace demo
# Someone to sign in to the console as: a ServiceAccount allowed everything in namespace demo.
kubectl create serviceaccount console-admin -n demo
kubectl create rolebinding console-admin -n demo --clusterrole=admin --serviceaccount=demo:console-admin
kubectl create role console-tenants -n demo --resource=tenants.rustfs.com \
  --verb=get,list,watch,create,patch,update,delete
kubectl create rolebinding console-tenants -n demo --role=console-tenants --serviceaccount=demo:console-admin
kubectl apply -n demo -f "$example"
name=$(kubectl get -n demo -f "$example" -o name | grep -m1 '^tenant' | cut -d/ -f2)

say "Watching kubectl get tenant $name -n demo -o wide until Ready (timeout ${timeout}s)"
kubectl get tenant "$name" -n demo -o wide
last="" start=$SECONDS
while :; do
  row=$(kubectl get tenant "$name" -n demo -o wide --no-headers 2>/dev/null || true)
  if [ "$row" != "$last" ]; then echo "$row"; last=$row; fi
  phase=$(kubectl get tenant "$name" -n demo -o jsonpath='{.status.phase}' 2>/dev/null || true)
  [ "$phase" = Ready ] && break
  if [ $((SECONDS - start)) -ge "$timeout" ]; then
    echo "Tenant $name did not reach Ready in ${timeout}s" >&2
    kubectl get tenant "$name" -n demo -o yaml >&2
    exit 1
  fi
  sleep 1
done
echo "Ready after $((SECONDS - start))s"

say "Phase history (status.transitions), each with its trace id"
kubectl get tenant "$name" -n demo \
  -o jsonpath='{range .status.transitions[*]}{.from}{" -> "}{.to}{"  "}{.reason}{"  trace "}{.traceId}{"\n"}{end}'
trace=$(kubectl get tenant "$name" -n demo -o jsonpath='{.status.transitions[-1:].traceId}')

say "Traces in Jaeger"
echo "Jaeger query API:     $JAEGER_QUERY_URL"
echo "All operator traces:  $JAEGER_QUERY_URL/api/traces?service=rustfs-operator"
[ -n "$trace" ] && echo "The Ready transition: $JAEGER_QUERY_URL/api/traces/$trace"

say "The console"
console_url="http://${console_addr/127.0.0.1/localhost}"
echo "Console:              $console_url   (sign in with a token; it stays in the console's memory)"
echo "A token to sign in:   KUBECONFIG=$work/admin.kubeconfig $bin/kubectl create token console-admin -n demo"
# The console answers as that ServiceAccount (the token goes in a header file, not on a
# command line).
umask 077
printf 'Authorization: Bearer %s\n' "$(kubectl create token console-admin -n demo)" >"$work/console-auth"
curl -fsS -H @"$work/console-auth" "http://$console_addr/api/v1/namespaces/demo/tenants" \
  | grep -q '"phase":"Ready"' || { echo "the console does not show the Tenant Ready" >&2; exit 1; }
rm -f "$work/console-auth"
echo "The console lists Tenant $name as Ready for console-admin."

if [ -n "$noninteractive" ]; then
  say "Non-interactive run: Tenant $name reached Ready; tearing down"
  exit 0
fi
say "The cluster keeps running. In another shell:"
echo "  export KUBECONFIG=$work/admin.kubeconfig"
echo "  $bin/kubectl get tenant -A -o wide"
echo "  tail -f $work/operator.log"
echo "  open $console_url"
echo "Press Ctrl-C to stop and clean up."
wait "${pids[0]}"
