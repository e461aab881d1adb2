# CJM Board: one static binary with the front end embedded.
# Build: docker build -t cjm-board .   Run: see docker-compose.yml.

FROM rust:1-bookworm AS build
WORKDIR /src
RUN rustup target add wasm32-unknown-unknown
COPY . .
RUN cargo xtask build

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/cjm --create-home cjm
COPY --from=build /src/target/release/cjm /usr/local/bin/cjm
USER cjm
WORKDIR /var/lib/cjm
ENV CJM_ADDR=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///var/lib/cjm/cjm.db
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["cjm"]
CMD ["serve"]
