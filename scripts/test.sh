#!/usr/bin/env bash
# The project's test command (README: `make test`). It needs nothing running: the acceptance tests start a
# real Kubernetes API server (in-process etcd + apiextensions-apiserver with the fabric CRDs), a Git server
# (git http-backend over smart HTTP) and the NetBox emulator themselves, and drive the real Terraform CLI
# (or OpenTofu, built from the Go module proxy when no terraform is on PATH; HEDGEHOG_TF_CLI=tofu forces it).
#
#   scripts/test.sh            unit + acceptance tests, race detector, short fuzz runs, docs gate
#   scripts/test.sh acc        acceptance tests only (internal/provider); TEST_RUN=REGEX runs only those
#   FUZZTIME=30s scripts/test.sh   another fuzz budget per target (default 100000x: an iteration count, which unlike
#                                  a duration cannot end a run mid-input with "context deadline exceeded")
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

command -v git >/dev/null || { echo "test.sh: git is required (apt-get install git)" >&2; exit 1; }
eval "$(scripts/tf-cli.sh --env)"
echo "test.sh: CLI $("$TF_ACC_TERRAFORM_PATH" version | grep -m1 -E '^(Terraform|OpenTofu) v')" >&2
export TF_ACC=1
# The acceptance tests of internal/provider run against backends started once per package; packages run in
# parallel with each other (-p 2 on these 2-core machines).
timeout="${TEST_TIMEOUT:-40m}"

if [[ "${1:-}" == "acc" ]]; then
  go test -count=1 -timeout "$timeout" -run "${TEST_RUN:-.}" ./internal/provider/...
  exit 0
fi

go test -count=1 -p 2 -timeout "$timeout" ./...

# The race detector on the packages that run concurrently (group commit, merged NetBox requests, the run
# cache, the guard, the list cache, sagas, the protocol wrapper): their unit and backend tests, without the
# acceptance tests (TF_ACC off), about 2 minutes here. The race detector needs cgo, so a C compiler (Debian's
# gcc; .ci/run installs it): without one Go turns cgo off and this step is skipped with a note.
if [[ "$(go env CGO_ENABLED)" == "1" ]]; then
  TF_ACC= go test -race -count=1 -p 2 -timeout "$timeout" ./internal/backend/... ./internal/engine/ ./internal/saga/ ./internal/provider/
else
  echo "test.sh: race detector skipped: it needs cgo and a C compiler (apt-get install gcc)" >&2
fi

# Fuzz targets, each for a short budget (no panic, invariants hold).
fuzztime="${FUZZTIME:-100000x}"
for dir in $(grep -rl --include='*_test.go' '^func Fuzz' internal | xargs -n1 dirname | sort -u); do
  for target in $(go test -list '^Fuzz' "./$dir" | grep '^Fuzz'); do
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "./$dir"
  done
done

# Docs gate: docs/ must match what tfplugindocs generates from the schema and examples.
if [[ -x scripts/docs.sh ]]; then
  scripts/docs.sh check
fi
echo "test.sh: all tests passed" >&2
