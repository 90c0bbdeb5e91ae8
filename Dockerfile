# syntax=docker/dockerfile:1
#
# tfgate's container image, built from this repository (BuildKit: Docker 23+
# or `docker buildx build`):
#
#   docker build -t tfgate .                                      lint and plan
#   docker build --build-arg OPENTOFU_VERSION=1.10.7 -t tfgate .  plus OpenTofu, for drift
#   docker run --rm -v "$PWD:/src" -w /src tfgate lint .
#
# - A static binary (CGO_ENABLED=0), on Alpine with ca-certificates and git
#   (OpenTofu fetches git module sources for drift), running as UID 65532.
# - The version: with .git in the build context, the go command stamps the
#   commit and derives the version from its tags (`tfgate version`); or pass
#   --build-arg VERSION=… COMMIT=… DATE=… (a release's values).
# - OpenTofu is optional: OPENTOFU_VERSION downloads that release for the
#   target platform and checks it against the release's SHA256SUMS.
# - GoReleaser (.goreleaser.yaml, dockers_v2) builds the release images from
#   this file with TFGATE_BINARY=context: it copies the release binary it
#   built into the context as $TARGETPLATFORM/tfgate instead of compiling.
#
# .ci/integrations.sh builds this image when a Docker daemon is reachable,
# and otherwise parses and checks it with BuildKit's own Dockerfile parser
# and linter (.ci/dockerfile-check).

ARG GO_VERSION=1.26.8
ARG ALPINE_VERSION=3.22
# source: compile here; context: the binary GoReleaser put in the context.
ARG TFGATE_BINARY=source

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build-source
WORKDIR /src
ARG TARGETOS TARGETARCH
ARG VERSION="" COMMIT="" DATE=""
# The context is bind-mounted (not copied) so that .git is there for VCS
# stamping without becoming part of any layer.
RUN --mount=type=bind,target=/src \
    --mount=type=cache,target=/root/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build <<EOF
set -eu
git config --global --add safe.directory /src
ldflags="-s -w"
if [ -n "$VERSION" ]; then
  ldflags="$ldflags -X main.version=$VERSION -X main.commit=${COMMIT:-none} -X main.date=${DATE:-unknown}"
fi
CGO_ENABLED=0 GOOS="$TARGETOS" GOARCH="$TARGETARCH" \
  go build -trimpath -buildvcs=auto -ldflags "$ldflags" -o /out/tfgate ./cmd/tfgate
go version -m /out/tfgate | grep -q 'CGO_ENABLED=0'
EOF

FROM scratch AS build-context
ARG TARGETPLATFORM
COPY $TARGETPLATFORM/tfgate /out/tfgate

FROM build-${TFGATE_BINARY} AS tfgate

FROM alpine:${ALPINE_VERSION} AS opentofu
ARG OPENTOFU_VERSION=""
ARG TARGETARCH
WORKDIR /tmp/tofu
RUN <<EOF
set -eu
mkdir -p /out
[ -n "$OPENTOFU_VERSION" ] || exit 0
v=${OPENTOFU_VERSION#v}
zip="tofu_${v}_linux_${TARGETARCH}.zip"
base="https://github.com/opentofu/opentofu/releases/download/v${v}"
wget -q "$base/$zip" "$base/tofu_${v}_SHA256SUMS"
grep " ${zip}\$" "tofu_${v}_SHA256SUMS" | sha256sum -c -
unzip -q "$zip" tofu
install -m 0755 tofu /out/tofu
EOF

FROM alpine:${ALPINE_VERSION}
RUN apk add --no-cache ca-certificates git openssh-client
COPY --from=opentofu /out/ /usr/local/bin/
COPY --from=tfgate /out/tfgate /usr/local/bin/tfgate
# HOME for terraform/tofu and tfgate's cache; any non-root UID works
# (pre-commit's docker_image hook runs as the caller's UID).
ENV HOME=/tmp CHECKPOINT_DISABLE=1
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/tfgate"]
CMD ["--help"]
