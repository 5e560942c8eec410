# meetmock container: multi-stage release build, small non-root runtime.
#   docker build -t meetmock .
#   docker run --rm -p 8080:8080 meetmock
FROM rust:1-slim-bookworm AS build
# make: jemalloc (the allocator) is built from source by tikv-jemalloc-sys.
RUN apt-get update && apt-get install -y --no-install-recommends make \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The whole context minus .dockerignore: the manifest names test, bench and example targets,
# whose files cargo expects to exist even when building only the binary.
COPY . .
RUN cargo build --release --locked --bin meetmock

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home meetmock \
 && apt-get update && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/meetmock /usr/local/bin/meetmock
COPY scenarios /etc/meetmock/scenarios
USER meetmock
# MEETMOCK_LISTEN: the edge listener; 0.0.0.0 so the published port reaches it. The vendor APIs
# answer everyone; the admin API answers only inside the container (loopback) unless
# MEETMOCK_ADMIN_TOKEN is set, and then needs `Authorization: Bearer <token>`.
ENV MEETMOCK_LISTEN=0.0.0.0:8080
# MEETMOCK_LOG_FORMAT: json lines for log collectors (text for humans).
ENV MEETMOCK_LOG_FORMAT=json
# MEETMOCK_LOG: tracing filter (info, debug, meetmock=debug, ...).
ENV MEETMOCK_LOG=info
# Other settings, all optional: MEETMOCK_SCENARIO (comma-separated files/dirs, e.g.
# /etc/meetmock/scenarios/feishu-locked.yaml), MEETMOCK_NO_DEMO, MEETMOCK_SEED,
# MEETMOCK_ADMIN_TOKEN, MEETMOCK_STRICT_TENANTS, MEETMOCK_JOURNAL_CAPACITY,
# MEETMOCK_TLS_CERT/MEETMOCK_TLS_KEY, MEETMOCK_LISTEN_<VENDOR>, MEETMOCK_LISTEN_ADMIN,
# MEETMOCK_ADMIN_ALLOWED_HOST, MEETMOCK_STATE_FILE (on a volume) with MEETMOCK_PERSIST.
EXPOSE 8080
# `meetmock health` reads MEETMOCK_LISTEN(_ADMIN), checks GET /__admin/health over loopback and
# needs no token (health answers without one) and no curl. `docker stop` sends SIGTERM: idle
# connections close at once, in-flight requests drain for up to 3 s, the state file is saved.
HEALTHCHECK --interval=10s --timeout=3s --start-period=2s --retries=3 \
  CMD ["meetmock", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["meetmock"]
CMD ["serve"]
