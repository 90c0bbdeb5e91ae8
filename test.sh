#!/usr/bin/env bash
# The whole test suite, end-to-end tests included: builds (or reuses from
# its cache) the Terraform-compatible CLI and providers the end-to-end tests
# need, then checks formatting, vets and runs every test.
#
#   ./test.sh              everything
#   ./test.sh -run Drift   extra arguments go to `go test`
set -euo pipefail
cd "$(dirname "$0")"
TC=$(./.ci/toolchain.sh)
export TFGATE_E2E_TOFU="$TC/bin/tofu" TFGATE_E2E_TERRAFORM="$TC/bin/terraform" TF_CLI_CONFIG_FILE="$TC/cli.tfrc" CHECKPOINT_DISABLE=1

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './fixtures/*') | grep -v '^fixtures/' || true)
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" $unformatted >&2
  exit 1
fi
# Integrations with the real tools: actionlint, pre-commit, GoReleaser (cached in
# ~/.cache/tfgate-tools: cold ~5-10 min, warm ~15 s). Only in a full run.
if [ $# -eq 0 ]; then
  ./.ci/integrations.sh
fi
go vet ./...
go test -count=1 ./... "$@"
# internal/fasthcl must build hclsyntax's trees exactly: its tests compare
# every HCL file of the repository; a short fuzz run looks for more (new
# failing inputs land in internal/fasthcl/testdata/fuzz). The loader's,
# the evaluator's and the plan reader's (rules:FuzzPlan: every plan rule on
# what ParsePlanJSON accepts) fuzz targets run briefly too (their seeds run
# above as ordinary tests; failures land in the package's testdata/fuzz).
# Only in a full run. FUZZTIME=1m ./test.sh fuzzes those longer.
if [ $# -eq 0 ]; then
  go test -run '^$' -fuzz '^FuzzParse$' -fuzztime "${FASTHCL_FUZZTIME:-15s}" ./internal/fasthcl
  for target in ./analyzer/load:FuzzParseSource ./analyzer/load:FuzzLoad ./analyzer/eval:FuzzEval ./rules:FuzzPlan; do
    go test -run '^$' -fuzz "^${target#*:}\$" -fuzztime "${FUZZTIME:-8s}" "${target%%:*}"
  done
fi
