#!/usr/bin/env bash
# Checks tfgate's integrations with the real tools:
#
#   actionlint   docs/workflows/*.yml, .github/workflows/*.yml (the release),
#                and action.yml through workflows that use it (its inputs)
#                and a workflow made of its steps (expressions, shell scripts
#                through shellcheck)
#   version      `tfgate version` of a binary from `go install MODULE@COMMIT`
#                (through the go command's own VCS download, from a local
#                clone) and from `go build` in a checkout (VCS stamping)
#   formats      the CI formats read back by real consumers: Checkstyle by
#                reviewdog, JUnit by test-results-parser, GitLab Code
#                Quality type-checked against codeclimate-types by tsc,
#                GitHub workflow commands re-issued by @actions/core
#                (.ci/formats/check.mjs), on the goldens and on a live run
#   docker       the root Dockerfile: built and run when a Docker daemon with
#                buildx is reachable; otherwise parsed and checked with
#                BuildKit's own frontend (`docker build --check` rules and
#                what the image must be: .ci/dockerfile-check)
#   precommit    .pre-commit-hooks.yaml with Debian's pre-commit 3.0: try-repo
#                and real `git commit`s, failing and passing, in a throwaway
#                Terraform repository
#   goreleaser   `goreleaser check` always; `release --snapshot --clean` of
#                every target, SBOMs (syft) included, when .goreleaser.yaml,
#                go.mod or the Dockerfile changed since the last successful
#                snapshot (TFGATE_SNAPSHOT=always|never); the image only
#                with a Docker daemon (--skip=docker otherwise)
#
#   .ci/integrations.sh                      every step
#   .ci/integrations.sh precommit goreleaser only these steps
#
# Tools are built from the Go module proxy (or installed with apt-get when
# running as root) once and cached in $TFGATE_TOOLS (default
# ~/.cache/tfgate-tools), keyed by version: cold about 5-10 minutes, warm
# about 15 seconds. Idempotent: everything else happens in a temporary
# directory that is removed on exit. Any failure stops the script with a
# message saying which step and why.
set -Eeuo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

ACTIONLINT_VERSION=v1.7.12
GORELEASER_VERSION=v2.15.0
SYFT_VERSION=v1.57.1
REVIEWDOG_VERSION=v0.21.0
# The npm packages that read tfgate's CI formats back (step formats).
NPM_FORMATS=(@actions/core@3.0.1 test-results-parser@0.4.6 codeclimate-types@0.3.1 typescript@7.0.2)
T=${TFGATE_TOOLS:-$HOME/.cache/tfgate-tools}
mkdir -p "$T"
W=$(mktemp -d "${TMPDIR:-/tmp}/tfgate-integrations.XXXXXX")
trap '[ -n "${KEEP_W:-}" ] || rm -rf "$W"' EXIT

step=setup
# TFGATE_INTEGRATIONS_VERBOSE=1 shows what the tools printed on success too.
verbose() { [ -z "${TFGATE_INTEGRATIONS_VERBOSE:-}" ] || printf '%s\n' "$*" >&2; }
log() { echo "integrations[$step]: $*" >&2; }
die() {
  echo >&2
  echo "integrations[$step]: FAILED: $*" >&2
  exit 113
}
# die has said why (exit 113); anything else failing says where.
on_err() {
  local rc=$1 line=$2
  [ "$rc" = 113 ] || echo "integrations[$step]: FAILED: exit $rc at line $line of .ci/integrations.sh (output above)" >&2
}
trap 'on_err $? $LINENO' ERR

# gotool NAME MODULE@VERSION: the binary, built once into $T/NAME-VERSION/.
gotool() {
  local name=$1 mod=$2 dir="$T/$1-${2##*@}"
  if [ ! -x "$dir/$name" ]; then
    log "building $mod from the Go module proxy (cached in $dir)"
    mkdir -p "$dir.tmp"
    GOFLAGS='' CGO_ENABLED=0 GOBIN="$dir.tmp" go install "$mod" >&2 || die "go install $mod failed"
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  echo "$dir/$name"
}

# aptget PACKAGE: install a Debian package when running as root; returns 1
# when it cannot (not root, no apt-get).
apt_updated=
aptget() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    return 1
  fi
  log "apt-get install $1"
  if [ -z "$apt_updated" ]; then
    apt-get update -qq >&2 || die "apt-get update failed"
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >&2 || die "apt-get install $1 failed"
}

# pyyaml: sets $py to a Python 3 that has PyYAML (Debian: python3-yaml).
py=
pyyaml() {
  local p
  for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import yaml' 2>/dev/null; then
      py=$p
      return
    fi
  done
  aptget python3-yaml || die "a python3 with PyYAML is needed to read action.yml: apt-get install python3-yaml"
  py=/usr/bin/python3
}

# The working tree (tracked and untracked files, as CI and a developer see
# them) committed in a throwaway repository: pre-commit and goreleaser both
# need a commit.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$W/gitconfig"
cat > "$GIT_CONFIG_GLOBAL" <<'EOF'
[user]
	name = tfgate CI
	email = ci@tfgate.invalid
[init]
	defaultBranch = main
[advice]
	detachedHead = false
[commit]
	gpgsign = false
EOF
src="$W/tfgate"
snapshot_src() {
  [ -d "$src/.git" ] && return # made by an earlier step
  mkdir -p "$src"
  if git -C "$here" rev-parse --git-dir >/dev/null 2>&1; then
    # (tracked files deleted in the working tree are listed too: skipped)
    git -C "$here" ls-files -z -co --exclude-standard |
      tar -C "$here" --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -C "$src" -xf -
  else
    tar -C "$here" --exclude=.git -cf - . | tar -C "$src" -xf -
  fi
  git -C "$src" init -q
  # goreleaser reads the remote's URL; without one, a snapshot forgets the
  # commit (`tfgate version` would say "commit none"). Never contacted.
  git -C "$src" remote add origin https://github.com/tfgate/tfgate.git
  git -C "$src" add -A
  git -C "$src" commit -q -m "tfgate working tree"
}

# ---------------------------------------------------------------------------
step_actionlint() {
  step=actionlint
  local al
  al=$(gotool actionlint "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION")
  if ! command -v shellcheck >/dev/null; then
    aptget shellcheck || log "shellcheck not found and cannot be installed (not root): run: scripts are not shellchecked"
  fi
  pyyaml

  log "actionlint docs/workflows/*.yml .github/workflows/*.yml"
  "$al" -no-color docs/workflows/*.yml .github/workflows/*.yml || die "actionlint found problems in docs/workflows or .github/workflows"

  # action.yml is not a workflow: check it three ways.
  # 1. The shape GitHub requires of a composite action, and every
  #    inputs.X / steps.X.outputs it refers to.
  # 2. Its steps as a workflow_call job: actionlint then checks every
  #    expression, the inputs of the actions it uses and (with shellcheck)
  #    every script.
  # 3. Workflows that use it as `./`: actionlint reads its inputs; a
  #    workflow giving an undefined input must be rejected.
  local a="$W/action-check"
  mkdir -p "$a/.github/workflows"
  git -C "$a" init -q
  cp action.yml "$a/action.yml"
  log "action.yml: composite action shape"
  "$py" - "$a" <<'PY' || die "action.yml is not a valid composite action (see above)"
import re, sys, yaml
root = sys.argv[1]
def literal(dumper, s):
    return dumper.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None)
yaml.SafeDumper.add_representer(str, literal)
act = yaml.safe_load(open(root + "/action.yml"))
errs = []
def err(m): errs.append(m)
allowed = {"name", "author", "description", "inputs", "outputs", "runs", "branding"}
for k in act:
    if k not in allowed: err(f"unknown top-level key {k!r}")
for k in ("name", "description", "runs"):
    if k not in act: err(f"missing required key {k!r}")
inputs = act.get("inputs") or {}
for n, i in inputs.items():
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", n): err(f"bad input name {n!r}")
    if not isinstance(i, dict) or "description" not in i: err(f"input {n!r} needs a description")
    elif "default" in i and not isinstance(i["default"], str): err(f"input {n!r}: default must be a string")
runs = act.get("runs") or {}
if runs.get("using") != "composite": err("runs.using must be composite")
steps = runs.get("steps") or []
if not steps: err("runs.steps is empty")
ids = []
stepkeys = {"name", "id", "if", "run", "shell", "uses", "with", "env", "working-directory", "continue-on-error"}
for i, s in enumerate(steps):
    where = f"step {i+1} ({s.get('name', s.get('id', '?'))})"
    for k in s:
        if k not in stepkeys: err(f"{where}: key {k!r} is not allowed in a composite step")
    if ("run" in s) == ("uses" in s): err(f"{where}: needs exactly one of run and uses")
    if "run" in s and "shell" not in s: err(f"{where}: a composite run step needs shell")
    # actionlint knows the inputs of only some popular actions; not these.
    if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"):
        known = {"sarif_file", "checkout_path", "ref", "sha", "token", "matrix", "category", "wait-for-processing"}
        for k in s.get("with") or {}:
            if k not in known: err(f"{where}: upload-sarif has no input {k!r}")
    text = yaml.safe_dump(s)
    for ref in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", text):
        if ref not in ids: err(f"{where}: refers to step {ref!r}, which is not an earlier step")
    if "id" in s: ids.append(s["id"])
text = yaml.safe_dump(act)
for ref in re.findall(r"inputs\.([A-Za-z0-9_-]+)", text):
    if ref not in inputs: err(f"refers to undefined input {ref!r}")
for n, o in (act.get("outputs") or {}).items():
    if "value" not in o: err(f"output {n!r} needs a value (composite actions)")
    for ref in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", str(o.get("value"))):
        if ref not in ids: err(f"output {n!r} refers to unknown step {ref!r}")
# 2: the steps as a reusable workflow's job.
wf = {
    "name": "action steps",
    "on": {"workflow_call": {"inputs": {n: {"type": "string", "required": False, **({"default": i["default"]} if "default" in i else {})} for n, i in inputs.items()}}},
    "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": steps}},
}
yaml.safe_dump(wf, open(root + "/.github/workflows/action-steps.yml", "w"), sort_keys=False)
# 3: a workflow using the action with every input, and one with a bogus input.
use = {"uses": "./", "with": {n: (i.get("default") or "x") for n, i in inputs.items()}}
ok = {"on": "push", "jobs": {"use": {"runs-on": "ubuntu-latest", "steps": [{"uses": "actions/checkout@v4"}, use]}}}
yaml.safe_dump(ok, open(root + "/.github/workflows/uses-action.yml", "w"), sort_keys=False)
bad = {"on": "push", "jobs": {"use": {"runs-on": "ubuntu-latest", "steps": [{"uses": "actions/checkout@v4"}, {"uses": "./", "with": {"no-such-input": "x"}}]}}}
yaml.safe_dump(bad, open(root + "/bogus-input.yml", "w"), sort_keys=False)
for e in errs: print("action.yml: " + e, file=sys.stderr)
sys.exit(1 if errs else 0)
PY
  log "action.yml: its steps as a workflow, and workflows using it"
  (cd "$a" && "$al" -no-color) || {
    sed -n '1,200p' "$a/.github/workflows/action-steps.yml" >&2
    die "actionlint rejected action.yml's steps or a workflow using it (generated files above)"
  }
  mv "$a/bogus-input.yml" "$a/.github/workflows/"
  local out
  if out=$(cd "$a" && "$al" -no-color .github/workflows/bogus-input.yml 2>&1); then
    die "actionlint accepted an undefined input of action.yml: it did not read the action"
  fi
  grep -q 'input "no-such-input" is not defined in action' <<<"$out" ||
    die "actionlint failed on the bogus input for another reason: $out"
  log "ok: docs/workflows/*.yml, .github/workflows/*.yml and action.yml pass actionlint $ACTIONLINT_VERSION"
}

# ---------------------------------------------------------------------------
# The throwaway Terraform repository: a reusable module called by a root,
# and a legacy root with findings that no commit touches (so a commit that
# does not touch it must not report it).
write_infra() {
  local d=$1
  mkdir -p "$d/modules/svc" "$d/live/prod" "$d/legacy"
  cat > "$d/modules/svc/main.tf" <<'EOF'
resource "aws_autoscaling_group" "workers" {
  name             = var.name
  min_size         = var.min_size
  max_size         = var.max_size
  desired_capacity = var.min_size

  dynamic "tag" {
    for_each = var.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}
EOF
  cat > "$d/modules/svc/variables.tf" <<'EOF'
variable "name" {
  description = "Name of the group."
  type        = string
}

variable "min_size" {
  description = "Minimum workers."
  type        = number
  default     = 1
}

variable "max_size" {
  description = "Maximum workers."
  type        = number
  default     = 4
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
EOF
  cat > "$d/modules/svc/outputs.tf" <<'EOF'
output "name" {
  description = "Name of the group."
  value       = aws_autoscaling_group.workers.name
}
EOF
  cat > "$d/modules/svc/versions.tf" <<'EOF'
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}
EOF
  echo "# svc: a worker group" > "$d/modules/svc/README.md"
  cat > "$d/live/prod/main.tf" <<'EOF'
module "svc" {
  source   = "../../modules/svc"
  name     = "prod-workers"
  min_size = var.min_size
  max_size = var.max_size
  tags     = { team = "core", environment = "prod", project = "demo" }
}
EOF
  cat > "$d/live/prod/variables.tf" <<'EOF'
variable "min_size" {
  description = "Minimum workers."
  type        = number
}

variable "max_size" {
  description = "Maximum workers."
  type        = number
}
EOF
  cat > "$d/live/prod/terraform.tfvars" <<'EOF'
min_size = 2
max_size = 6
EOF
  cat > "$d/live/prod/versions.tf" <<'EOF'
terraform {
  required_version = "~> 1.9"
  backend "s3" {
    bucket       = "demo-state"
    key          = "prod/terraform.tfstate"
    region       = "eu-west-1"
    use_lockfile = true
    encrypt      = true
  }
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }
}
EOF
  cat > "$d/live/prod/providers.tf" <<'EOF'
provider "aws" {
  region = "eu-west-1"
}
EOF
  cat > "$d/live/prod/.terraform.lock.hcl" <<'EOF'
provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.62.0"
  constraints = "~> 5.60"
  hashes = [
    "h1:8tevkFG+ea/sNZYiQ2GQ02hknPcWBukxkrpjRCodQC0=",
  ]
}
EOF
  # Legacy: local state, nothing pinned.
  cat > "$d/legacy/main.tf" <<'EOF'
resource "aws_s3_bucket" "old" {
  bucket = "legacy-bucket"
}
EOF
  echo "# demo infrastructure" > "$d/README.md"
}

step_precommit() {
  step=precommit
  if ! command -v pre-commit >/dev/null; then
    aptget pre-commit || {
      [ "${CI:-}" = true ] && die "pre-commit is not installed and this is not root: apt-get install pre-commit"
      log "SKIPPED: pre-commit is not installed (as root this script installs it: apt-get install pre-commit)"
      return 0
    }
  fi
  log "$(pre-commit --version)"
  pre-commit validate-manifest .pre-commit-hooks.yaml || die ".pre-commit-hooks.yaml is not a valid hook manifest"
  snapshot_src
  local rev
  rev=$(git -C "$src" rev-parse HEAD)
  # pre-commit builds the hook with `go install ./...` in its clone; share
  # this machine's module cache so that nothing is downloaded again.
  export PRE_COMMIT_HOME="$W/pre-commit-home" GOMODCACHE GOTOOLCHAIN=local
  GOMODCACHE=$(go env GOMODCACHE)
  # As on a developer's machine: VCS stamping on (this machine's go env may
  # turn it off), so that the hook's binary knows its commit.
  export GOFLAGS=-buildvcs=auto

  local infra="$W/infra" out
  mkdir -p "$infra"
  write_infra "$infra"
  cd "$infra"
  git init -q
  # A local clone of the committed working tree, pinned to its commit, as
  # users pin a tag of https://github.com/tfgate/tfgate.
  cat > .pre-commit-config.yaml <<EOF
repos:
  - repo: ../tfgate
    rev: $rev
    hooks:
      - id: tfgate-lint
      - id: tfgate-lint-sarif
EOF
  pre-commit validate-config .pre-commit-config.yaml || die "the example .pre-commit-config.yaml is not valid"
  git add -A
  git commit -q -m "initial infrastructure, legacy findings included"

  # try-repo: one passing and one failing file set.
  log "pre-commit try-repo (builds the hook with go install: ~10-60 s)"
  out=$(pre-commit try-repo "$src" tfgate-lint --ref "$rev" --files live/prod/main.tf modules/svc/main.tf 2>&1) || {
    echo "$out" >&2; die "try-repo: the clean modules failed the hook"
  }
  grep -q 'tfgate lint\.*Passed' <<<"$out" || { echo "$out" >&2; die "try-repo: no 'tfgate lint...Passed' line"; }
  if out=$(pre-commit try-repo "$src" tfgate-lint --ref "$rev" --files legacy/main.tf 2>&1); then
    echo "$out" >&2; die "try-repo: the legacy module passed the hook"
  fi
  grep -q 'legacy/main.tf.*pin-provider-version' <<<"$out" || { echo "$out" >&2; die "try-repo: legacy failed without a pin-provider-version finding"; }
  # tfgate-lint-system: the tfgate on PATH, no Go involved at hook time.
  log "tfgate-lint-system with an installed binary"
  mkdir -p "$W/sysbin"
  (cd "$src" && go build -o "$W/sysbin/tfgate" ./cmd/tfgate) || die "go build of the system binary failed"
  out=$(PATH="$W/sysbin:$PATH" pre-commit try-repo "$src" tfgate-lint-system --ref "$rev" --files live/prod/main.tf 2>&1) || {
    echo "$out" >&2; die "try-repo tfgate-lint-system: the clean module failed"
  }
  if out=$(PATH="$W/sysbin:$PATH" pre-commit try-repo "$src" tfgate-lint-system --ref "$rev" --files legacy/main.tf 2>&1); then
    echo "$out" >&2; die "try-repo tfgate-lint-system: the legacy module passed"
  fi
  grep -q 'legacy/main.tf.*pin-provider-version' <<<"$out" || { echo "$out" >&2; die "tfgate-lint-system: no pin-provider-version finding"; }
  if out=$(PATH="/usr/bin:/bin" pre-commit try-repo "$src" tfgate-lint-system --ref "$rev" --files legacy/main.tf 2>&1); then
    echo "$out" >&2; die "tfgate-lint-system passed without a tfgate on PATH"
  fi

  # tfgate-lint-docker: pre-commit's docker_image language runs
  # `docker run --rm -u UID:GID -v "$PWD:/src:rw,Z" --workdir /src ENTRY ARGS FILES`.
  # With a Docker daemon: the image built from the root Dockerfile under the
  # hook's tag. Without one: a docker stand-in that checks exactly that
  # invocation and runs the system binary in the mounted directory (the
  # image itself is checked by the docker step).
  log "tfgate-lint-docker (docker_image)"
  local dpath=$PATH
  if docker_ok; then
    docker build -q -t ghcr.io/tfgate/tfgate:latest "$src" >&2 || die "docker build for the docker_image hook failed"
  else
    mkdir -p "$W/dockershim"
    cat > "$W/dockershim/docker" <<'SHIM'
#!/usr/bin/env bash
# Stand-in for `docker run` as pre-commit's docker_image language calls it.
set -euo pipefail
echo "docker $*" >> "$DOCKER_SHIM_LOG"
[ "${1:-}" = run ] || { echo "docker stand-in: only run, not ${1:-nothing}" >&2; exit 125; }
shift
vol="" wd="" user=""
while [ $# -gt 0 ]; do
  case $1 in
    --rm) shift ;;
    -u) user=$2; shift 2 ;;
    -v) vol=$2; shift 2 ;;
    --workdir) wd=$2; shift 2 ;;
    -*) echo "docker stand-in: unexpected flag $1" >&2; exit 125 ;;
    *) break ;;
  esac
done
[ "$1" = ghcr.io/tfgate/tfgate:latest ] || { echo "docker stand-in: unknown image $1" >&2; exit 125; }
shift
[ "$wd" = /src ] && [[ $vol == *:/src:rw,Z ]] && [[ $user =~ ^[0-9]+:[0-9]+$ ]] || { echo "docker stand-in: bad mount/workdir/user: $vol $wd $user" >&2; exit 125; }
cd "${vol%:/src:rw,Z}"
exec "$SHIM_TFGATE" "$@"
SHIM
    chmod +x "$W/dockershim/docker"
    export DOCKER_SHIM_LOG="$W/dockershim.log" SHIM_TFGATE="$W/sysbin/tfgate"
    dpath="$W/dockershim:$PATH"
  fi
  if out=$(PATH="$dpath" pre-commit try-repo "$src" tfgate-lint-docker --ref "$rev" --files legacy/main.tf live/prod/main.tf 2>&1); then
    echo "$out" >&2; die "try-repo tfgate-lint-docker: the legacy module passed"
  fi
  grep -q 'legacy/main.tf.*pin-provider-version' <<<"$out" || { echo "$out" >&2; die "tfgate-lint-docker: no pin-provider-version finding"; }
  if [ -n "${DOCKER_SHIM_LOG:-}" ]; then
    grep -q "^docker run --rm -u [0-9]*:[0-9]* -v $PWD:/src:rw,Z --workdir /src ghcr.io/tfgate/tfgate:latest lint legacy/main.tf live/prod/main.tf$" "$DOCKER_SHIM_LOG" || {
      cat "$DOCKER_SHIM_LOG" >&2; die "tfgate-lint-docker: pre-commit did not run the image as expected"
    }
    log "tfgate-lint-docker: pre-commit ran: $(tail -n 1 "$DOCKER_SHIM_LOG")"
  fi

  pre-commit install >/dev/null || die "pre-commit install failed"
  local head

  # 1. Failing commit in a root: the backend is removed.
  log "failing commit: a root loses its backend"
  sed -i '/backend "s3"/,/^  }/d' live/prod/versions.tf
  git add live/prod/versions.tf
  head=$(git rev-parse HEAD)
  if out=$(git commit -m "drop the backend" 2>&1); then
    echo "$out" >&2; die "the commit that removes the backend was accepted"
  fi
  [ "$(git rev-parse HEAD)" = "$head" ] || die "HEAD moved although the hook failed"
  verbose "$out"
  grep -q 'live/prod/versions.tf.*state-remote-backend' <<<"$out" || { echo "$out" >&2; die "no state-remote-backend finding for live/prod/versions.tf"; }
  if grep -q 'legacy/' <<<"$out"; then
    echo "$out" >&2; die "the untouched legacy module was linted: only changed modules and their callers should be"
  fi
  git reset -q --hard HEAD

  # 2. Failing commit in a child module only: the problem shows only with
  #    the caller's values (desired 7 > max 6 from live/prod/terraform.tfvars).
  log "failing commit: a child module change breaks its caller"
  sed -i 's/desired_capacity = var.min_size/desired_capacity = var.max_size + 1/' modules/svc/main.tf
  git add modules/svc/main.tf
  if out=$(git commit -m "grow the default group" 2>&1); then
    echo "$out" >&2; die "the child-module change that breaks live/prod was accepted: callers are not re-checked"
  fi
  verbose "$out"
  grep -q 'autoscaling-bounds.*via module.svc in live/prod' <<<"$out" || {
    echo "$out" >&2; die "no autoscaling-bounds finding via module.svc in live/prod"
  }
  [ "$(git rev-parse HEAD)" = "$head" ] || die "HEAD moved although the hook failed"

  # 3. Passing commit: a fixed child module change, with the legacy module
  #    still broken elsewhere in the tree.
  log "passing commit"
  sed -i 's/desired_capacity = var.max_size + 1/desired_capacity = var.max_size/' modules/svc/main.tf
  git add modules/svc/main.tf
  out=$(git commit -m "scale to max by default" 2>&1) || { echo "$out" >&2; die "the clean commit was rejected"; }
  verbose "$out"
  grep -q 'tfgate lint\.*Passed' <<<"$out" || { echo "$out" >&2; die "the clean commit did not run the hook"; }
  [ "$(git rev-parse HEAD)" != "$head" ] || die "HEAD did not move after a passing commit"
  # The binary pre-commit built from the pinned rev knows its commit.
  local hookbin
  hookbin=$(find "$PRE_COMMIT_HOME" -path '*golangenv*/bin/tfgate' -type f | head -n 1)
  [ -n "$hookbin" ] || die "no tfgate binary in pre-commit's golang environment"
  out=$("$hookbin" version)
  [[ $out == *"commit $rev"* ]] || die "the hook's tfgate version printed '$out', want commit $rev"
  log "the golang hook's binary: $out"


  # 3b. Across roots: live/prod copied to live/staging with its backend key.
  #     Only live/staging is in the commit; the clash with live/prod is
  #     found from the hook's textual index of the whole tree.
  log "failing commit: a root copied with its backend key"
  cp -r live/prod live/staging
  git add live/staging
  head=$(git rev-parse HEAD)
  if out=$(git commit -m "add staging" 2>&1); then
    echo "$out" >&2; die "the commit of a root copied with live/prod's backend key was accepted"
  fi
  verbose "$out"
  grep -q 'live/staging/versions.tf:[0-9]*:[0-9]*: error\[state-key-unique\] backend "s3" writes the same state as `live/prod`' <<<"$out" || {
    echo "$out" >&2; die "no state-key-unique finding for live/staging against live/prod"
  }
  if grep -q '^live/prod/' <<<"$out"; then
    echo "$out" >&2; die "findings of the untouched live/prod were reported"
  fi
  [ "$(git rev-parse HEAD)" = "$head" ] || die "HEAD moved although the hook failed"
  # OpenTofu: versions.tofu shadows versions.tf, so staging's own key counts.
  log "passing commit: versions.tofu with staging's own key shadows the copied versions.tf"
  sed 's#prod/terraform.tfstate#staging/terraform.tfstate#' live/staging/versions.tf > live/staging/versions.tofu
  git add live/staging
  out=$(git commit -m "add staging with its own state" 2>&1) || { echo "$out" >&2; die "the staging root with its own key (versions.tofu) was rejected"; }
  verbose "$out"
  grep -q 'tfgate lint\.*Passed' <<<"$out" || { echo "$out" >&2; die "the staging commit did not run the hook"; }
  log "failing commit: only a .tofu file changes, back to prod's key"
  sed -i 's#staging/terraform.tfstate#prod/terraform.tfstate#' live/staging/versions.tofu
  git add live/staging/versions.tofu
  head=$(git rev-parse HEAD)
  if out=$(git commit -m "staging writes prod's state" 2>&1); then
    echo "$out" >&2; die "a .tofu-only commit that copies prod's key was accepted"
  fi
  grep -q 'live/staging/versions.tofu:[0-9]*:[0-9]*: error\[state-key-unique\]' <<<"$out" || {
    echo "$out" >&2; die "no state-key-unique finding in live/staging/versions.tofu"
  }
  git reset -q --hard HEAD

  # 4. A commit without Terraform files skips the hook.
  echo "more" >> README.md
  git add README.md
  out=$(git commit -m "docs" 2>&1) || { echo "$out" >&2; die "a docs-only commit was rejected"; }
  grep -q 'tfgate lint\.*(no files to check)Skipped' <<<"$out" || { echo "$out" >&2; die "a docs-only commit did not skip the hook"; }

  # 5. The manual SARIF hook lints the whole tree (legacy included) into tfgate.sarif.
  log "manual SARIF hook"
  if out=$(pre-commit run --hook-stage manual tfgate-lint-sarif --all-files 2>&1); then
    echo "$out" >&2; die "tfgate-lint-sarif passed on a tree with legacy findings"
  fi
  python3 - <<'PY' || { echo "$out" >&2; die "tfgate.sarif is missing or wrong"; }
import json
s = json.load(open("tfgate.sarif"))
assert s["version"] == "2.1.0", s["version"]
uris = {l["physicalLocation"]["artifactLocation"]["uri"] for r in s["runs"][0]["results"] for l in r["locations"] if "physicalLocation" in l}
assert any(u.startswith("legacy/") for u in uris), uris
PY
  cd "$here"
  log "ok: pre-commit try-repo (golang, system and docker_image hooks) and commits (failing root, failing child via its caller, passing, copied backend key across roots, .tofu shadowing, skipped, SARIF)"
}

# ---------------------------------------------------------------------------
# docker_ok: a Docker daemon with buildx answers (a client alone is not enough).
docker_ok() {
  command -v docker >/dev/null && docker info >/dev/null 2>&1 && docker buildx version >/dev/null 2>&1
}

step_goreleaser() {
  step=goreleaser
  local gr syft
  gr=$(gotool goreleaser "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION")
  log "goreleaser check"
  NO_COLOR=1 "$gr" check >&2 || die "goreleaser check rejected .goreleaser.yaml"

  local stamp stampfile="$T/goreleaser-snapshot.stamp" mode=${TFGATE_SNAPSHOT:-auto} skip=() images=no
  if docker_ok; then
    images=yes
  else
    skip=(--skip=docker)
  fi
  stamp=$({ echo "$GORELEASER_VERSION $SYFT_VERSION images=$images"; cat .goreleaser.yaml go.mod Dockerfile; } | sha256sum | cut -c1-64)
  case $mode in
    never) log "snapshot build skipped (TFGATE_SNAPSHOT=never)"; return 0 ;;
    auto)
      if [ "$(cat "$stampfile" 2>/dev/null)" = "$stamp" ]; then
        log "snapshot build skipped: .goreleaser.yaml, go.mod and the Dockerfile are unchanged since the last successful one (TFGATE_SNAPSHOT=always forces it)"
        return 0
      fi ;;
    always) ;;
    *) die "TFGATE_SNAPSHOT must be auto, always or never, not $mode" ;;
  esac
  # The sboms section runs syft on every archive.
  syft=$(gotool syft "github.com/anchore/syft/cmd/syft@$SYFT_VERSION")
  snapshot_src
  if [ $images = no ]; then
    log "no Docker daemon with buildx: the snapshot skips the image (--skip=docker); the docker step checks the Dockerfile"
  fi
  log "goreleaser release --snapshot --clean ${skip[*]}: every target and its SBOM (a few minutes)"
  (cd "$src" && PATH="$(dirname "$syft"):$PATH" NO_COLOR=1 "$gr" release --snapshot --clean "${skip[@]}" >"$W/goreleaser.log" 2>&1) || {
    tail -n 60 "$W/goreleaser.log" >&2
    die "goreleaser release --snapshot failed (last lines above)"
  }
  python3 - "$src/dist" "$images" <<'PY' || die "the snapshot did not build every target, SBOM and checksum"
import json, os, sys
dist, images = sys.argv[1], sys.argv[2]
arts = json.load(open(dist + "/artifacts.json"))
bins = sorted(a["goos"] + "/" + a["goarch"] for a in arts if a["type"] == "Binary")
want = sorted(f"{o}/{a}" for o in ("linux", "darwin", "windows") for a in ("amd64", "arm64"))
archives = [a for a in arts if a["type"] == "Archive"]
sboms = [a for a in arts if a["type"] == "SBOM"]
assert bins == want, f"binaries {bins}, want {want}"
assert len(archives) == len(want), f"{len(archives)} archives"
assert len(sboms) == len(archives), f"{len(sboms)} SBOMs for {len(archives)} archives"
sums = open(dist + "/checksums.txt").read()
for a in archives + sboms:
    assert a["name"] in sums, f"{a['name']} is not in checksums.txt"
for a in sboms:
    doc = json.load(open(os.path.join(os.path.dirname(dist), a["path"])))
    assert doc.get("spdxVersion", "").startswith("SPDX-"), f"{a['name']}: not an SPDX document"
    names = {p.get("name") for p in doc.get("packages", [])}
    assert "github.com/hashicorp/hcl/v2" in names, f"{a['name']}: no Go module packages ({len(names)} packages)"
if images == "yes":
    assert any(a["type"] in ("Docker Image", "Docker Image V2", "Published Docker Image") for a in arts), "no image built"
PY
  local v bin got
  v=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$src/dist/metadata.json")
  bin=$(ls "$src"/dist/*linux_amd64*/tfgate)
  got=$("$bin" version)
  [[ $got =~ ^tfgate\ ${v//./\\.}\ \(commit\ [0-9a-f]{40},\ built\ [0-9]{4}-[0-9]{2}-[0-9]{2}T ]] ||
    die "dist linux_amd64 tfgate version printed '$got', want version $v, a commit and a date stamped by ldflags"
  echo "$stamp" > "$stampfile"
  log "ok: snapshot $v built for 6 targets with 6 SPDX SBOMs in checksums.txt (image: $images); linux_amd64 says: $got"
}

# ---------------------------------------------------------------------------
# What `tfgate version` says when no release ldflags are given: the module
# version and commit the go command records (runtime/debug.ReadBuildInfo).
step_version() {
  step=version
  snapshot_src
  local rev out mc="$W/version-modcache"
  rev=$(git -C "$src" rev-parse HEAD)
  # 1. go install MODULE@COMMIT, as a user does: the go command resolves
  #    github.com/tfgate/tfgate with git (GOPRIVATE: no proxy, no checksum
  #    database) and git is pointed at the snapshot repository; every other
  #    module comes from this machine's module cache, else the proxy.
  git config --global url."file://$src".insteadOf https://github.com/tfgate/tfgate
  log "go install github.com/tfgate/tfgate/cmd/tfgate@${rev:0:12} (module download through git)"
  GOFLAGS=-modcacherw GOPRIVATE=github.com/tfgate/tfgate GOMODCACHE="$mc" \
    GOPROXY="file://$(go env GOMODCACHE)/cache/download,$(go env GOPROXY)" GOBIN="$W/version-bin" \
    go install "github.com/tfgate/tfgate/cmd/tfgate@$rev" >&2 || die "go install github.com/tfgate/tfgate/cmd/tfgate@$rev failed"
  out=$("$W/version-bin/tfgate" version)
  [[ $out =~ ^tfgate\ v0\.0\.0-[0-9]{14}-${rev:0:12}\ \(commit\ ${rev:0:12},\ committed\ [0-9]{4}-[0-9]{2}-[0-9]{2}T ]] ||
    die "go install @commit: tfgate version printed '$out', want the pseudo-version of ${rev:0:12} and its commit"
  log "ok: go install @commit: $out"
  # 2. go build in a checkout: VCS stamping (Go 1.24+ also derives the
  #    version from the commit).
  (cd "$src" && GOFLAGS=-buildvcs=true go build -o "$W/version-bin/tfgate-vcs" ./cmd/tfgate) || die "go build in the checkout failed"
  out=$("$W/version-bin/tfgate-vcs" version)
  [[ $out =~ ^tfgate\ v[0-9][^\ ]*\ \(commit\ $rev,\ committed\ [0-9]{4}-[0-9]{2}-[0-9]{2}T ]] ||
    die "go build in a checkout: tfgate version printed '$out', want a version and commit $rev"
  log "ok: go build in a checkout: $out"
  chmod -R u+w "$mc" 2>/dev/null || true
}

# ---------------------------------------------------------------------------
step_formats() {
  step=formats
  local rd="$T/reviewdog-$REVIEWDOG_VERSION/reviewdog" nm="$T/npm-formats-$(echo "${NPM_FORMATS[*]}" | sha256sum | cut -c1-12)"
  if [ ! -x "$rd" ]; then
    # reviewdog's go.mod has replace directives: `go install MOD@V` refuses
    # it, so it is built as a tool of a throwaway module.
    log "building reviewdog $REVIEWDOG_VERSION from the Go module proxy (cached in $(dirname "$rd"))"
    local m="$W/reviewdog-mod"
    mkdir -p "$m" "$(dirname "$rd").tmp"
    (cd "$m" && go mod init reviewdog-build >/dev/null 2>&1 &&
      GOFLAGS='' go get -tool "github.com/reviewdog/reviewdog/cmd/reviewdog@$REVIEWDOG_VERSION" >&2 &&
      GOFLAGS='' CGO_ENABLED=0 GOBIN="$(dirname "$rd").tmp" go install github.com/reviewdog/reviewdog/cmd/reviewdog >&2) ||
      die "building reviewdog failed"
    rm -rf "$(dirname "$rd")" && mv "$(dirname "$rd").tmp" "$(dirname "$rd")"
  fi
  if [ ! -d "$nm/node_modules/typescript" ]; then
    command -v npm >/dev/null || aptget npm || die "npm is needed to read the formats back: apt-get install npm"
    log "npm install ${NPM_FORMATS[*]} (cached in $nm)"
    mkdir -p "$nm.tmp"
    npm install --prefix "$nm.tmp" --no-audit --no-fund --loglevel=error "${NPM_FORMATS[@]}" >&2 || die "npm install failed"
    rm -rf "$nm" && mv "$nm.tmp" "$nm"
  fi
  cp .ci/formats/check.mjs "$nm/check.mjs"
  local bin="$W/tfgate-formats" out
  go build -o "$bin" ./cmd/tfgate || die "go build failed"

  # check DIR CHECKSTYLE JUNIT GITLAB GITHUB COMPACT: each report read back.
  check() {
    local dir=$1 cs=$2 ju=$3 gl=$4 gh=$5 compact=$6 want got totals
    # reviewdog reads every <error> as tfgate's compact format states it.
    got=$(cd "$dir" && "$rd" -f=checkstyle -reporter=local -filter-mode=nofilter -fail-level=none < "$cs" | sed -E 's/ \(tfgate\.[a-z0-9-]+\)$//' | sort) ||
      die "reviewdog could not read $cs"
    want=$(sed -E 's/^([^:]+:[0-9]+:[0-9]+): (error|warning|note)\[[a-z0-9-]+\] /\1: \2: /; s/: note: /: info: /' "$compact" | sort)
    [ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got") >&2; die "reviewdog read $cs differently from the compact report (diff above)"; }
    log "reviewdog read $(grep -c . <<<"$got") findings from $(basename "$cs"), as the compact report has them"
    totals=$(python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); print(r.get("tests"), int(r.get("failures")) + int(r.get("errors")), r.get("skipped"))' "$ju")
    # shellcheck disable=SC2086
    (cd "$nm" && node check.mjs junit "$ju" $totals) || die "test-results-parser disagrees with $ju"
    { echo 'import type { Issue } from "codeclimate-types";'; echo 'export const issues: Issue[] ='; cat "$gl"; echo ';'; } > "$nm/gitlab-check.ts"
    (cd "$nm" && ./node_modules/.bin/tsc --noEmit --strict --module nodenext --moduleResolution nodenext gitlab-check.ts >&2) ||
      die "$gl is not an array of Code Climate issues (codeclimate-types, tsc above)"
    log "tsc: $(basename "$gl") is a valid Code Climate Issue[] ($(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$gl") issues)"
    (cd "$nm" && node check.mjs github "$gh") || die "@actions/core writes $gh differently"
  }

  log "the goldens (fixtures/report/golden.*)"
  local g=fixtures/report
  # The goldens' compact lines are made with the same fixture rules.
  check "$here/$g/tree" "$here/$g/golden.checkstyle" "$here/$g/golden.junit" "$here/$g/golden.gitlab" "$here/$g/golden.github" "$here/$g/golden.compact"

  log "a live run on fixtures/example"
  local ex="$W/formats-example"
  cp -r fixtures/example "$ex"
  git -C "$ex" init -q
  (cd "$ex" && "$bin" lint --fail-on never --format compact=compact.txt --format checkstyle=cs.xml --format junit=junit.xml --format gitlab=gl.json --format github=gh.txt .) ||
    die "tfgate lint on fixtures/example failed"
  [ -s "$ex/compact.txt" ] || die "no findings on fixtures/example: nothing to check"
  check "$ex" "$ex/cs.xml" "$ex/junit.xml" "$ex/gl.json" "$ex/gh.txt" "$ex/compact.txt"
  log "ok: checkstyle (reviewdog $REVIEWDOG_VERSION), junit (test-results-parser), gitlab (codeclimate-types + tsc), github (@actions/core)"
}

# ---------------------------------------------------------------------------
step_docker() {
  step=docker
  if docker_ok; then
    log "docker build (tfgate only, and with OpenTofu)"
    docker build -q -t tfgate:ci . >&2 || die "docker build failed"
    docker build -q --build-arg OPENTOFU_VERSION=1.10.7 -t tfgate:ci-tofu . >&2 || die "docker build with OpenTofu failed"
    local out
    out=$(docker run --rm tfgate:ci version) || die "the image does not run tfgate"
    log "image says: $out"
    [ "$(docker run --rm --entrypoint id tfgate:ci -u)" = 65532 ] || die "the image does not run as UID 65532"
    docker run --rm --entrypoint tofu tfgate:ci-tofu version >&2 || die "the OpenTofu image has no working tofu"
    if docker run --rm --entrypoint sh tfgate:ci -c 'command -v tofu' >/dev/null 2>&1; then
      die "the image without OPENTOFU_VERSION has tofu"
    fi
    docker run --rm -v "$here/fixtures/example:/src:ro" tfgate:ci lint --fail-on never . >&2 || die "tfgate lint in the image failed"
    log "ok: image built and run"
    return 0
  fi
  log "no Docker daemon with buildx here: checking the Dockerfile with BuildKit's frontend instead of building it"
  (cd .ci/dockerfile-check && GOFLAGS=-mod=readonly go run . ../../Dockerfile) >&2 || die "the Dockerfile failed BuildKit's checks (above)"
  log "ok: Dockerfile parsed and checked by BuildKit"
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(actionlint version formats docker precommit goreleaser)
for s in "${steps[@]}"; do
  step=$s
  case $s in
    # A subshell each: steps change directory and environment.
    actionlint | version | formats | docker | precommit | goreleaser) ( "step_$s" ) ;;
    *) die "unknown step $s (steps: actionlint version formats docker precommit goreleaser)" ;;
  esac
done
step=all
log "ok: ${steps[*]}"
