# The image that docs/examples/drift-cronjob.yaml runs: tfgate on top of the
# official Terraform image (Alpine, with git for git module sources), as a
# non-root user. Build from anywhere:
#
#   docker build -f drift.Dockerfile -t ghcr.io/acme/tfgate-drift:1.0.0 .
#
# For OpenTofu, start FROM ghcr.io/opentofu/opentofu:<version> instead (its
# binary is tofu; tfgate finds terraform, then tofu, on PATH).
FROM golang:1.26 AS tfgate
ARG TFGATE_VERSION=latest
RUN CGO_ENABLED=0 GOBIN=/out go install -trimpath -ldflags="-s -w" \
    github.com/tfgate/tfgate/cmd/tfgate@${TFGATE_VERSION}

FROM hashicorp/terraform:1.9.8
COPY --from=tfgate /out/tfgate /usr/local/bin/tfgate
# Any non-root UID works: HOME, TMPDIR and the plugin cache are set by the
# manifest to emptyDir volumes, and the root filesystem stays read-only.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/tfgate"]
CMD ["drift", "--help"]
