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
# proxy via tools/tofu into .tools/bin/tofu (built once, rebuilt when tools/tofu/go.mod or
# go.sum change). HEDGEHOG_TF_CLI=tofu forces OpenTofu; HEDGEHOG_TF_CLI=terraform forces Terraform.
# Build progress goes to stderr; stdout carries only the result.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode=path
case "${1:-}" in
  "") ;;
  --env) mode=env ;;
  -h | --help)
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "tf-cli.sh: unknown argument: $1 (use --env or --help)" >&2
    exit 2
    ;;
esac

# tofu_current BIN SRC: BIN exists, is newer than SRC/go.mod and go.sum, and reports exactly the
# version SRC/go.mod requires (a plain `go build` without the ldflags below reports "-dev").
tofu_current() {
  local want
  [[ -x "$1" && "$1" -nt "$2/go.mod" && "$1" -nt "$2/go.sum" ]] || return 1
  want="$(awk '$1 == "require" && $2 == "github.com/opentofu/opentofu" { print $3 }' "$2/go.mod")"
  # grep: with a missing TF_CLI_CONFIG_FILE the CLI prints a warning on stdout first.
  [[ "$("$1" version 2>/dev/null | grep -m 1 '^OpenTofu v')" == "OpenTofu $want" ]]
}

build_tofu() {
  local bin="$root/.tools/bin/tofu" src="$root/tools/tofu"
  if tofu_current "$bin" "$src"; then
    echo "$bin"
    return
  fi
  command -v go >/dev/null || { echo "tf-cli.sh: no terraform on PATH and no go to build OpenTofu" >&2; exit 1; }
  mkdir -p "$root/.tools/bin"
  # Serialise concurrent builds; the binary is moved into place atomically.
  exec 9>"$root/.tools/tofu.lock"
  command -v flock >/dev/null && flock 9
  if tofu_current "$bin" "$src"; then
    echo "$bin"
    return
  fi
  echo "tf-cli.sh: building OpenTofu into $bin (first build takes several minutes) ..." >&2
  local tmp="$bin.tmp.$$"
  # version.dev=no: report "v1.12.6" like the release binaries instead of "v1.12.6-dev".
  (cd "$src" && GOFLAGS=-mod=readonly nice -n 19 go build \
    -ldflags '-s -w -X github.com/opentofu/opentofu/version.dev=no' \
    -o "$tmp" github.com/opentofu/opentofu/cmd/tofu) >&2
  mv -f "$tmp" "$bin"
  echo "$bin"
}

cli=""
kind=""
case "${HEDGEHOG_TF_CLI:-}" in
  tofu) ;;
  terraform)
    cli="$(command -v terraform)" || { echo "tf-cli.sh: HEDGEHOG_TF_CLI=terraform but no terraform on PATH" >&2; exit 1; }
    kind=terraform
    ;;
  "") if cli="$(command -v terraform)"; then kind=terraform; fi ;;
  *)
    echo "tf-cli.sh: HEDGEHOG_TF_CLI must be 'tofu' or 'terraform', not '$HEDGEHOG_TF_CLI'" >&2
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
