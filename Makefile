# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0

# The few verbs a newcomer needs. `make help` lists them.

SHELL := /usr/bin/env bash
CARGO ?= cargo

.PHONY: help test demo demo-real controlplane cert-manager node crd diagrams lint fmt bench faults

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

test: controlplane node ## Format and lint checks, then every test (unit, integration, end-to-end, real node)
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) test --workspace --locked
	@echo "console screenshots (tests/console.rs, headless Chromium): $(CURDIR)/target/console-screenshots"

demo: controlplane ## Start a local control plane, install the CRD, run the operator and the console, show a Tenant reaching Ready
	deploy/local/demo.sh

controlplane: cert-manager ## Build the pinned Kubernetes (incl. kubelet, kube-proxy), etcd, kwok, Jaeger, Helm, CoreDNS and pause binaries, and cert-manager, into the cache (no-op when current)
	deploy/local/build.sh

cert-manager: ## Build the pinned cert-manager (controller, webhook) and copy its CRDs into the cache (no-op when current)
	deploy/local/cert-manager.sh

node: controlplane ## The real node's parts: Debian packages, the RustFS binary (cached), the OCI images (RustFS, operator, pause)
	deploy/local/node-packages.sh
	deploy/local/rustfs.sh
	deploy/local/images.sh

demo-real: controlplane node ## The demo on the real node: the operator in-cluster, RustFS pods, an S3 PUT/GET
	deploy/local/demo-real.sh

.PHONY: image-steps
image-steps: ## Run the Dockerfile's build steps without Docker and check the binary (QUICK=1: recipe only)
	deploy/image/build-steps.sh $(if $(QUICK),--quick)

crd: ## Regenerate deploy/crd/tenant.yaml (and the Helm chart's copy) from the Rust types
	$(CARGO) run --quiet -- crd -f deploy/crd/tenant.yaml
	cp deploy/crd/tenant.yaml deploy/helm/rustfs-operator/crds/tenant.yaml

diagrams: ## Regenerate diagrams/ from the state machine's transition table
	$(CARGO) run --quiet -p rustfs-machine --bin diagrams -- .

.PHONY: golden
golden: ## Regenerate tests/golden/ (the objects each example creates); review with git diff
	UPDATE_GOLDEN=1 $(CARGO) test --quiet --test golden

lint: ## cargo fmt --check and clippy
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt: ## Format the code
	$(CARGO) fmt --all

# Full sizes of the fault suite; `cargo test` runs the same tests reduced (500 specs, 8 kills
# over 5 Tenants). Override any of them: `make faults FAULTS_KILLS=10`.
FAULTS_SPECS ?= 10000
FAULTS_SAMPLE ?= 30
FAULTS_KILLS ?= 50
FAULTS_TENANTS ?= 20
FAULTS_SEED ?= 13

faults: controlplane ## Fault suite at full size: 10,000 generated Tenants, 50 SIGKILLs over a 20-Tenant rollout; prints the tables (docs/reliability.md)
	FAULTS_SPECS=$(FAULTS_SPECS) FAULTS_SAMPLE=$(FAULTS_SAMPLE) FAULTS_KILLS=$(FAULTS_KILLS) \
	FAULTS_TENANTS=$(FAULTS_TENANTS) FAULTS_SEED=$(FAULTS_SEED) \
	$(CARGO) test --locked --test faults -- --nocapture --test-threads=1

BENCH_SCALE ?= 10 100

bench: ## Benchmarks: the machine's decision and the builders (criterion), then the scale benchmark against the floor (BENCH_SCALE="10 100 1000 2x4x4:100"; docs/performance.md)
	$(CARGO) bench --workspace --bench decision
	$(CARGO) bench --bench scale -- $(BENCH_SCALE)
