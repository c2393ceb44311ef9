#!/usr/bin/env bash
# Prints the absolute path of a Terraform-compatible CLI for the acceptance tests.
#
#   scripts/tf-cli.sh          print the CLI path
#   scripts/tf-cli.sh --env    print `export` lines for the acceptance tests:
#                                TF_ACC_TERRAFORM_PATH, TF_ACC_PROVIDER_NAMESPACE (OpenTofu only)
#                                and TF_CLI_CONFIG_FILE (always an existing file)
#   eval "$(scripts/tf-cli.sh --env)"
#
# Selection: `terraform` from PATH when present, otherwise OpenTofu built from the Go module
# proxy via tools/tofu into .tools/bin/tofu (built once, rebuilt when a file in tools/tofu
# changes). HEDGEHOG_TF_CLI=tofu forces OpenTofu; HEDGEHOG_TF_CLI=terraform forces Terraform
# from PATH; HEDGEHOG_TF_CLI=terraform-latest builds the Terraform that tools/terraform pins
# (1.14, for `terraform query` and resource identity) into .tools/bin/terraform-<version> the
# same way and then behaves like `terraform`.
# Build progress goes to stderr; stdout carries only the result.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode=path
case "${1:-}" in
  "") ;;
  --env) mode=env ;;
  -h | --help)
    sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "tf-cli.sh: unknown argument: $1 (use --env or --help)" >&2
    exit 2
    ;;
esac

# required_version SRC MODULE: the version of MODULE that SRC/go.mod requires, e.g. v1.12.6.
required_version() {
  awk -v m="$2" '$1 == "require" && $2 == m { print $3 }' "$1/go.mod"
}

# cli_current BIN SRC MODULE NAME: BIN exists, is newer than every file under SRC (go.mod, go.sum,
# the stubs of tools/terraform), and reports exactly the version SRC/go.mod requires (a plain
# `go build` without the ldflags below reports "-dev").
cli_current() {
  [[ -x "$1" && -z "$(find "$2" -type f -newer "$1" -print -quit)" ]] || return 1
  # grep: with a missing TF_CLI_CONFIG_FILE the CLI prints a warning on stdout first.
  # CHECKPOINT_DISABLE: Terraform would otherwise ask checkpoint-api.hashicorp.com for news.
  [[ "$(CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null | grep -m 1 "^$4 v")" == "$4 $(required_version "$2" "$3")" ]]
}

# build_cli NAME SRC MODULE BIN LOCK GOBUILD...: print BIN, first building it from SRC with the
# go build arguments GOBUILD (without -o) unless it is current. Concurrent builds are serialised
# on LOCK; the binary is moved into place atomically.
build_cli() {
  local name="$1" src="$2" module="$3" bin="$4" lock="$5"
  shift 5
  if cli_current "$bin" "$src" "$module" "$name"; then
    echo "$bin"
    return
  fi
  command -v go >/dev/null || { echo "tf-cli.sh: no go to build $name (and, unless HEDGEHOG_TF_CLI is set, no terraform on PATH)" >&2; exit 1; }
  mkdir -p "$(dirname "$bin")"
  exec 9>"$lock"
  command -v flock >/dev/null && flock 9
  if cli_current "$bin" "$src" "$module" "$name"; then
    echo "$bin"
    return
  fi
  echo "tf-cli.sh: building $name $(required_version "$src" "$module") into $bin (first build takes several minutes) ..." >&2
  local tmp="$bin.tmp.$$"
  (cd "$src" && GOFLAGS=-mod=readonly nice -n 19 go build -o "$tmp" "$@") >&2
  mv -f "$tmp" "$bin"
  echo "$bin"
}

build_tofu() {
  # version.dev=no: report "v1.12.6" like the release binaries instead of "v1.12.6-dev".
  build_cli OpenTofu "$root/tools/tofu" github.com/opentofu/opentofu "$root/.tools/bin/tofu" "$root/.tools/tofu.lock" \
    -ldflags '-s -w -X github.com/opentofu/opentofu/version.dev=no' github.com/opentofu/opentofu/cmd/tofu
}

build_terraform() {
  local src="$root/tools/terraform" module=github.com/hashicorp/terraform version
  version="$(required_version "$src" "$module")"
  [[ -n "$version" ]] || { echo "tf-cli.sh: $src/go.mod requires no $module" >&2; exit 1; }
  # The flags of the release binaries (BUILDING.md, .github/workflows/build-terraform-cli.yml):
  # static, -trimpath, version.dev=no so that `terraform version` reports "v1.14.3", not "-dev".
  CGO_ENABLED=0 build_cli Terraform "$src" "$module" "$root/.tools/bin/terraform-${version#v}" "$root/.tools/terraform.lock" \
    -trimpath -ldflags '-s -w -X github.com/hashicorp/terraform/version.dev=no' "$module"
}

cli=""
kind=""
case "${HEDGEHOG_TF_CLI:-}" in
  tofu) ;;
  terraform)
    cli="$(command -v terraform)" || { echo "tf-cli.sh: HEDGEHOG_TF_CLI=terraform but no terraform on PATH" >&2; exit 1; }
    kind=terraform
    ;;
  terraform-latest)
    cli="$(build_terraform)"
    kind=terraform
    ;;
  "") if cli="$(command -v terraform)"; then kind=terraform; fi ;;
  *)
    echo "tf-cli.sh: HEDGEHOG_TF_CLI must be 'tofu', 'terraform' or 'terraform-latest', not '$HEDGEHOG_TF_CLI'" >&2
    exit 2
    ;;
esac
if [[ -z "$kind" ]]; then
  cli="$(build_tofu)"
  kind=tofu
fi
cli="$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")"

if [[ "$mode" == path ]]; then
  echo "$cli"
  if [[ "$kind" == tofu ]]; then
    echo "tf-cli.sh: OpenTofu in use: set TF_ACC_PROVIDER_NAMESPACE=hashicorp for the acceptance tests (or use --env)" >&2
  fi
  exit 0
fi

q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
echo "export TF_ACC_TERRAFORM_PATH=$(q "$cli")"
if [[ "$kind" == tofu ]]; then
  echo "export TF_ACC_PROVIDER_NAMESPACE=hashicorp"
fi
rc="${TF_CLI_CONFIG_FILE:-}"
if [[ -z "$rc" || ! -f "$rc" ]]; then
  # The CLI warns on every run when TF_CLI_CONFIG_FILE names a missing file; use an empty one.
  rc="$root/.tools/terraformrc"
  mkdir -p "$root/.tools"
  [[ -f "$rc" ]] || : >"$rc"
fi
echo "export TF_CLI_CONFIG_FILE=$(q "$rc")"
