# meetmock container: multi-stage release build, small non-root runtime.
#   docker build -t meetmock .
#   docker run --rm -p 8080:8080 meetmock
# Checked without a container engine by tests/container/ (SUITES=container ./scripts/test): the
# build steps against the tree, the runtime ENV/CMD/HEALTHCHECK against the built binary.
#
# Base images are pinned by version and digest (the digest wins; refresh both together, e.g.
# `docker buildx imagetools inspect rust:1.92-slim-bookworm`). Rust ≥ 1.91: the locked
# dependencies' rust-version.
FROM rust:1.92-slim-bookworm@sha256:f1f73538ebe623fd3673a35aff3df358ae1084c64c55646516e5b17b321b6c9b AS build
# make: jemalloc (the allocator) is built from source by tikv-jemalloc-sys.
RUN apt-get update && apt-get install -y --no-install-recommends make \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# 1. Dependencies only — a layer rebuilt only when Cargo.toml or Cargo.lock change: the manifests,
#    a stub for every target they name (cargo wants each target's file even to build one binary),
#    then the release build of every dependency.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src tests/api tests/props benches \
 && echo 'fn main() {}' > src/main.rs && : > src/lib.rs \
 && echo 'fn main() {}' > tests/api/main.rs \
 && echo 'fn main() {}' > tests/props/main.rs \
 && echo 'fn main() {}' > benches/hot.rs \
 && cargo build --release --locked --bin meetmock \
 && rm -rf src tests benches
# 2. The sources (the context minus .dockerignore); touched so cargo rebuilds the crate over the
#    stub, whatever times the context carries.
COPY . .
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin meetmock

FROM debian:12.12-slim@sha256:d5d3f9c23164ea16f31852f95bd5959aad1c5e854332fe00f7b3a20fcc9f635c
# Non-root: uid/gid 10001 (numeric in USER, so runAsNonRoot can verify it). ca-certificates:
# event deliveries to https receivers. /data and /certs belong to the user the
# server runs as, so fresh named or anonymous volumes there are writable.
RUN groupadd --system --gid 10001 meetmock \
 && useradd --system --uid 10001 --gid 10001 --no-create-home meetmock \
 && apt-get update && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data /certs && chown meetmock:meetmock /data /certs
COPY --from=build /src/target/release/meetmock /usr/local/bin/meetmock
COPY scenarios /etc/meetmock/scenarios
USER 10001:10001
# /certs: the served certificate (MEETMOCK_WRITE_CERT), for https clients in other containers.
# /data: the state file, when MEETMOCK_STATE_FILE=/data/state.json is set.
VOLUME ["/data", "/certs"]
# MEETMOCK_LISTEN: the edge listener; 0.0.0.0 so the published port reaches it. The vendor APIs
# answer everyone; the admin API answers only inside the container (loopback) unless
# MEETMOCK_ADMIN_TOKEN is set, and then needs `Authorization: Bearer <token>`.
ENV MEETMOCK_LISTEN=0.0.0.0:8080
# MEETMOCK_WRITE_CERT: where the certificate is written at start (mount /certs to share it).
ENV MEETMOCK_WRITE_CERT=/certs/meetmock.pem
# MEETMOCK_LOG_FORMAT: json lines for log collectors (text for humans).
ENV MEETMOCK_LOG_FORMAT=json
# MEETMOCK_LOG: tracing filter (info, debug, meetmock=debug, ...).
ENV MEETMOCK_LOG=info
# Other settings, all optional: MEETMOCK_SCENARIO (comma-separated files/dirs, e.g.
# /etc/meetmock/scenarios/feishu-meeting-locked.yaml), MEETMOCK_NO_DEMO, MEETMOCK_SEED,
# MEETMOCK_ADMIN_TOKEN, MEETMOCK_ADMIN_ALLOWED_HOST (a compose service name),
# MEETMOCK_STRICT_TENANTS, MEETMOCK_JOURNAL_CAPACITY, MEETMOCK_TLS_CERT/MEETMOCK_TLS_KEY,
# MEETMOCK_LISTEN_<VENDOR>, MEETMOCK_LISTEN_ADMIN, MEETMOCK_STATE_FILE (on /data) with
# MEETMOCK_PERSIST.
EXPOSE 8080
# `meetmock health` reads MEETMOCK_LISTEN(_ADMIN), checks GET /__admin/health over loopback and
# needs no token (health answers without one) and no curl. `docker stop` sends SIGTERM: idle
# connections close at once, in-flight requests drain for up to 3 s, the state file is saved.
HEALTHCHECK --interval=10s --timeout=3s --start-period=2s --retries=3 \
  CMD ["meetmock", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["meetmock"]
CMD ["serve"]
