# syntax=docker/dockerfile:1
#
# Waymark's container image: the static waymark binary on distroless/static, run as a
# non-root user, its data directory a volume.
#
#   docker build -t waymark \
#     --build-arg VERSION=$(git describe --tags --always --dirty) \
#     --build-arg COMMIT=$(git rev-parse HEAD) --build-arg BUILD_TIME=$(date -u +%FT%TZ) .
#   docker run --rm -p 8080:8080 -v waymark-data:/data waymark --demo
#
# This image was not built where it was written (no Docker engine there). What CI
# checks instead (.ci/container-check): the same binary, built by the same script
# (.ci/build-static), runs as uid 65532 on a data directory that user owns, answers
# 'waymark healthcheck' and stops cleanly on SIGTERM.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# The modules first: a layer that changes only with go.mod and go.sum.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
ARG COMMIT=""
ARG BUILD_TIME=""
RUN VERSION="$VERSION" COMMIT="$COMMIT" BUILD_TIME="$BUILD_TIME" .ci/build-static /out/waymark \
 && mkdir -p /out/root/data

# distroless/static: no shell, no package manager, no C library; CA certificates, time
# zones and an /etc/passwd whose "nonroot" user is uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/waymark /usr/local/bin/waymark
# An empty /data owned by the user (copied as content, so --chown reaches it): a new
# named volume takes its owner from it.
COPY --from=build --chown=65532:65532 /out/root/ /
USER 65532:65532
# The data directory holds the embedded JetStream store, the case keys, the secrets
# (unless --secrets-dir or WAYMARK_MASTER_KEY put them elsewhere), the read models'
# snapshot and the admin socket the other commands use.
VOLUME /data
ENV WAYMARK_DATA_DIR=/data \
    WAYMARK_HTTP_ADDR=0.0.0.0:8080
# The API. The embedded NATS server (127.0.0.1:4222) and the admin listener with the
# metrics and pprof (127.0.0.1:9090) listen inside the container only: to let
# analysts' consumers or a Prometheus in, set WAYMARK_NATS_LISTEN=0.0.0.0:4222 or
# WAYMARK_ADMIN_ADDR=0.0.0.0:9090 and publish that port (the admin one to the
# monitoring network only).
EXPOSE 8080
# No shell and no curl here: the binary asks its own /healthz (WAYMARK_HTTP_ADDR tells
# it where). The start period covers a first --demo start, which seeds for a while.
HEALTHCHECK --interval=30s --timeout=5s --start-period=2m --retries=3 \
  CMD ["/usr/local/bin/waymark", "healthcheck"]
# SIGTERM (docker stop) shuts down gracefully: requests under way finish, the read
# models write their snapshot. Other commands: docker run --entrypoint waymark ...,
# or docker exec CONTAINER waymark ... beside a running server.
ENTRYPOINT ["/usr/local/bin/waymark", "serve"]
