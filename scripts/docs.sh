#!/usr/bin/env bash
# Renders the registry documentation in docs/ with tfplugindocs, offline.
#
#   scripts/docs.sh generate   rewrite docs/ from templates/, examples/ and the provider schema
#   scripts/docs.sh check      render into a scratch copy and fail, with a diff, when docs/ differs,
#                              then run `tfplugindocs validate` on docs/ (the CI gate; to fix, run
#                              `scripts/docs.sh generate` and commit docs/)
#
# Steps: build the provider into a scratch directory; read its schema with
# `terraform providers schema -json` through a dev_overrides CLI configuration (no `init`, no
# registry, no download); rename the schema's provider key to `hedgehog`, the only form
# tfplugindocs looks up besides registry.terraform.io/hashicorp/<name>; run tfplugindocs with
# --providers-schema, so it neither builds the provider nor looks for or downloads a Terraform CLI.
#
# Needs go and a Terraform-compatible CLI that exports identity schemas: $TERRAFORM when set, else OpenTofu
# built from the Go module proxy by scripts/tf-cli.sh (first build: several minutes).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-}"
case "$mode" in
  generate | check) ;;
  -h | --help)
    sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "usage: scripts/docs.sh generate|check" >&2
    exit 2
    ;;
esac

# OpenTofu (built by scripts/tf-cli.sh) by default: its schema export carries the resources' identity
# schemas (import by identity), which Terraform 1.11 does not know.
tf="${TERRAFORM:-$(HEDGEHOG_TF_CLI=tofu "$root/scripts/tf-cli.sh")}"

work="$(mktemp -d "${TMPDIR:-/tmp}/hedgehog-docs.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly"

# 1. The provider binary, named as Terraform expects in a dev_overrides directory.
(cd "$root" && go build -o "$work/bin/terraform-provider-hedgehog" .)

# 2. Its schema. The CLI configuration has only dev_overrides: any other provider would fail to
#    install instead of being downloaded. CHECKPOINT_DISABLE stops Terraform's version check.
mkdir -p "$work/tf"
cat >"$work/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "githedgehog/hedgehog" = "$work/bin"
  }
}
EOF
cat >"$work/tf/main.tf" <<'EOF'
terraform {
  required_providers {
    hedgehog = { source = "githedgehog/hedgehog" }
  }
}
EOF
if ! (cd "$work/tf" && TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 \
  "$tf" providers schema -json >"$work/schema.raw.json" 2>"$work/schema.log"); then
  cat "$work/schema.log" >&2
  echo "docs.sh: $tf providers schema -json failed" >&2
  exit 1
fi
# tfplugindocs looks the schema up as "hedgehog"; rename the one provider key (plain sed: no jq needed).
# (registry.terraform.io or registry.opentofu.org, depending on the CLI).
key="$(grep -o '"registry\.\(terraform\.io\|opentofu\.org\)/[a-z0-9_-]*/[a-z0-9_-]*":' "$work/schema.raw.json" | sort -u)"
[[ "$key" == '"registry.terraform.io/githedgehog/hedgehog":' || "$key" == '"registry.opentofu.org/githedgehog/hedgehog":' ]] ||
  { echo "docs.sh: expected exactly the provider githedgehog/hedgehog in the schema, got: $key" >&2; exit 1; }
sed "s#$key#\"hedgehog\":#" "$work/schema.raw.json" >"$work/schema.json"

# 3. Render into a scratch provider directory holding copies of the inputs (and of docs/, so files
#    tfplugindocs does not manage are kept). tfplugindocs resolves every directory flag against
#    --provider-dir, so the output cannot be pointed elsewhere directly.
src="$work/src"
mkdir -p "$src"
for d in templates examples docs; do
  if [[ -d "$root/$d" ]]; then cp -R "$root/$d" "$src/$d"; fi
done
# 4. The picture of the sample fabric (hedgehog_topology's docs link to it): drawn by internal/topology,
#    rendered by Graphviz. The registry takes only Markdown under docs/, so the picture lives beside the data
#    source's example.
pic="examples/data-sources/hedgehog_topology/sample-fabric"
if ! command -v dot >/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y -qq graphviz >/dev/null || { apt-get update -qq && apt-get install -y -qq graphviz >/dev/null; }
  fi
  command -v dot >/dev/null || { echo "docs.sh: Graphviz is needed for the topology picture: apt-get install graphviz" >&2; exit 1; }
fi
mkdir -p "$work/pic"
(cd "$root" && go run ./internal/cmd/topology -in internal/fabric/testdata/samples/nvidia-air-demo--include.yaml -format dot) >"$work/pic/sample-fabric.dot"
dot -Tsvg "$work/pic/sample-fabric.dot" >"$work/pic/sample-fabric.svg"

if ! (cd "$root" && go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate \
  --provider-name hedgehog \
  --rendered-provider-name Hedgehog \
  --provider-dir "$src" \
  --providers-schema "$work/schema.json" \
  --website-temp-dir "$work/tfws" >"$work/tfplugindocs.log" 2>&1); then
  cat "$work/tfplugindocs.log" >&2
  echo "docs.sh: tfplugindocs generate failed" >&2
  exit 1
fi

case "$mode" in
  generate)
    rm -rf "$root/docs"
    cp -R "$src/docs" "$root/docs"
    cp "$work/pic/sample-fabric.dot" "$root/$pic.dot"
    cp "$work/pic/sample-fabric.svg" "$root/$pic.svg"
    echo "docs.sh: wrote $(find "$root/docs" -type f | wc -l) files to docs/"
    ;;
  check)
    [[ -d "$root/docs" ]] || { echo "docs.sh: docs/ is missing; run scripts/docs.sh generate" >&2; exit 1; }
    for ext in dot svg; do
      if ! cmp -s "$root/$pic.$ext" "$work/pic/sample-fabric.$ext"; then
        echo "docs.sh: $pic.$ext is out of date; run scripts/docs.sh generate and commit it" >&2
        exit 1
      fi
    done
    if ! diff -ru "$root/docs" "$src/docs" >"$work/docs.diff"; then
      cat "$work/docs.diff"
      echo "docs.sh: docs/ is out of date; run scripts/docs.sh generate and commit docs/" >&2
      exit 1
    fi
    # The registry's own checks (layout, frontmatter, every resource documented), same schema file.
    if ! (cd "$root" && go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs validate \
      --provider-name hedgehog \
      --provider-dir "$root" \
      --providers-schema "$work/schema.json" >"$work/validate.log" 2>&1); then
      cat "$work/validate.log" >&2
      echo "docs.sh: tfplugindocs validate failed" >&2
      exit 1
    fi
    echo "docs.sh: docs/ is up to date"
    ;;
esac
