#!/usr/bin/env bash
# Builds the Terraform-compatible CLI and providers that the end-to-end
# tests (plan linting, drift detection) run against, offline, from the Go
# module proxy. Binaries are cached in $TFGATE_TOOLCHAIN (default
# ~/.cache/tfgate-toolchain), keyed by version: a cold build takes ~10-15
# minutes, a warm run a second. Prints the toolchain directory.
#
# Layout:   $TC/bin/tofu, $TC/bin/terraform (1.5.7), $TC/bin/terraform-provider-*
#           $TC/mirror/local.test/ci/<name>/<version>/<os_arch>/  (filesystem mirror)
#           $TC/cli.tfrc                                          (CLI config using the mirror)
set -euo pipefail
export CGO_ENABLED=0 CHECKPOINT_DISABLE=1 GOFLAGS=-mod=mod
TOFU_VERSION=1.10.6
TERRAFORM_VERSION=1.5.7
TIME_VERSION=0.14.2
DEMO_VERSION=0.1.0
here=$(cd "$(dirname "$0")/.." && pwd)
TC=${TFGATE_TOOLCHAIN:-$HOME/.cache/tfgate-toolchain}
mkdir -p "$TC/bin"
log() { echo "toolchain: $*" >&2; }

# A tofu binary already in place (prebuilt, or from an older script) is kept
# when it reports the pinned version.
if [ -x "$TC/bin/tofu" ] && [ ! -f "$TC/bin/tofu.version" ]; then
  case "$(TF_CLI_CONFIG_FILE=/dev/null "$TC/bin/tofu" version 2>/dev/null || true)" in
    "OpenTofu v$TOFU_VERSION"$'\n'*) echo "$TOFU_VERSION" > "$TC/bin/tofu.version" ;;
  esac
fi
if [ ! -x "$TC/bin/tofu" ] || [ "$(cat "$TC/bin/tofu.version" 2>/dev/null)" != "$TOFU_VERSION" ]; then
  log "building OpenTofu $TOFU_VERSION from the Go module proxy (cold: several minutes)"
  # go install refuses tofu (its go.mod has replace directives): build inside
  # the read-only module cache copy instead; only -o and GOCACHE are written.
  dir=$(GOFLAGS= go mod download -json "github.com/opentofu/opentofu@v$TOFU_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  GOFLAGS= go build -C "$dir" -mod=readonly -trimpath \
    -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$TC/bin/tofu.tmp" ./cmd/tofu
  mv "$TC/bin/tofu.tmp" "$TC/bin/tofu"
  echo "$TOFU_VERSION" > "$TC/bin/tofu.version"
fi

# Terraform 1.5.7, the last MPL release: the drift end-to-end tests run
# against it too. TFGATE_TOOLCHAIN_TERRAFORM=0 skips it (those tests then
# run against OpenTofu only).
if [ "${TFGATE_TOOLCHAIN_TERRAFORM:-1}" != 0 ]; then
  if [ ! -x "$TC/bin/terraform" ] || [ "$(cat "$TC/bin/terraform.version" 2>/dev/null)" != "$TERRAFORM_VERSION" ]; then
    log "building Terraform $TERRAFORM_VERSION from the Go module proxy (cold: about 5 minutes)"
    GOFLAGS= GOBIN="$TC/bin" go install -trimpath -ldflags="-s -w" "github.com/hashicorp/terraform@v$TERRAFORM_VERSION"
    echo "$TERRAFORM_VERSION" > "$TC/bin/terraform.version"
  fi
fi

if [ ! -x "$TC/bin/terraform-provider-time" ] || [ "$(cat "$TC/bin/time.version" 2>/dev/null)" != "$TIME_VERSION" ]; then
  log "building terraform-provider-time $TIME_VERSION"
  GOFLAGS= GOBIN="$TC/bin" go install -trimpath -ldflags="-s -w" "github.com/hashicorp/terraform-provider-time@v$TIME_VERSION"
  echo "$TIME_VERSION" > "$TC/bin/time.version"
fi

if [ -d "$here/fixtures/provider" ]; then
  # The demo provider is part of this repository: rebuild when its source changes.
  sum=$(cat "$here"/fixtures/provider/*.go "$here"/fixtures/provider/go.mod | sha256sum | cut -c1-16)
  if [ ! -x "$TC/bin/terraform-provider-demo" ] || [ "$(cat "$TC/bin/demo.sum" 2>/dev/null)" != "$sum" ]; then
    log "building the demo provider"
    GOFLAGS= go build -C "$here/fixtures/provider" -trimpath -ldflags="-s -w" -o "$TC/bin/terraform-provider-demo" .
    echo "$sum" > "$TC/bin/demo.sum"
  fi
fi

osarch="$(go env GOOS)_$(go env GOARCH)"
for p in "time:$TIME_VERSION" "demo:$DEMO_VERSION"; do
  n=${p%%:*}; v=${p#*:}
  [ -x "$TC/bin/terraform-provider-$n" ] || continue
  d="$TC/mirror/local.test/ci/$n/$v/$osarch"
  mkdir -p "$d"
  cp -f "$TC/bin/terraform-provider-$n" "$d/terraform-provider-${n}_v$v"
done
cat > "$TC/cli.tfrc" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$TC/mirror"
    include = ["local.test/*/*"]
  }
}
disable_checkpoint = true
TFRC
echo "$TC"
