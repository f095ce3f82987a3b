# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0
#
# The rustfs-operator image, in four stages:
#   chef     the Rust toolchain plus cargo-chef, pinned
#   planner  reduces the workspace to recipe.json (manifests and lock file, no sources)
#   builder  compiles the dependencies from the recipe (a layer that stays cached until
#            Cargo.toml or Cargo.lock change), then the operator from its sources
#   runtime  the binary alone, run as uid 65532
#
#   docker build -t rustfs/rustfs-operator:0.1.0 \
#     --build-arg GIT_COMMIT="$(git rev-parse --short=12 HEAD)" \
#     --build-arg BUILD_DATE="$(git show -s --format=%cI HEAD)" .
#
# The build context is an allowlist (.dockerignore). Without a Docker engine,
# deploy/image/build-steps.sh runs this file's RUN lines on the host (deploy/image/README.md);
# tests/dockerfile.rs checks its structure against deploy/deployment.yaml.

FROM rust:1.95-bookworm AS chef
ARG CARGO_CHEF_VERSION=0.1.78
RUN cargo install cargo-chef --locked --version ${CARGO_CHEF_VERSION}
WORKDIR /build

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /build/recipe.json recipe.json
# Same --bin as the build below, so both resolve the same features and the build reuses
# every dependency compiled here.
RUN cargo chef cook --release --locked --recipe-path recipe.json --bin rustfs-operator
COPY . .
# Declared after the cook so that a new commit does not invalidate the dependency layer.
# There is no .git in the context: build.rs reads these instead.
ARG GIT_COMMIT=unknown
ARG BUILD_DATE=unknown
ENV RUSTFS_OPERATOR_GIT_COMMIT=${GIT_COMMIT} \
    RUSTFS_OPERATOR_BUILD_DATE=${BUILD_DATE}
RUN cargo build --release --locked --bin rustfs-operator

# Distroless rather than debian:bookworm-slim: the binary links only glibc, libm and libgcc_s
# (TLS is rustls, no OpenSSL), and cc-debian12 ships exactly those plus the CA bundle that
# rustls reads for OTLP over HTTPS, with the same glibc as the bookworm builder. It has no
# shell or package manager to patch, and needs no RUN step (so every RUN above can be
# replayed outside Docker). The :nonroot tag's user is uid 65532, as in deploy/deployment.yaml.
FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
ARG GIT_COMMIT=unknown
ARG BUILD_DATE=unknown
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="rustfs-operator" \
      org.opencontainers.image.description="Kubernetes operator for RustFS, an S3-compatible erasure-coded object store" \
      org.opencontainers.image.source="https://github.com/rustfs/rustfs-operator" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_COMMIT}" \
      org.opencontainers.image.created="${BUILD_DATE}"
COPY --from=builder /build/target/release/rustfs-operator /usr/local/bin/rustfs-operator
USER 65532:65532
# /metrics, /healthz and /readyz (RUSTFS_OPERATOR_HTTP_ADDR).
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/rustfs-operator"]
CMD ["server"]
