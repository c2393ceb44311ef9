#!/usr/bin/env bash
# Runs the provider's acceptance tests against a real NetBox 4.3 in Docker (test/netbox-docker)
# instead of the built-in NetBox emulator.
#
#   scripts/netbox-docker-test.sh [extra go test args...]
#
# Environment: NETBOX_API_TOKEN (40 hex chars, default the test token of docker-compose.yml),
# NETBOX_IMAGE_TAG (default v4.3), KEEP_NETBOX=1 to leave the containers running afterwards.
# Needs a reachable Docker engine with the compose plugin (or docker-compose).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
compose_file="$root/test/netbox-docker/docker-compose.yml"
url="http://127.0.0.1:8000"
export NETBOX_API_TOKEN="${NETBOX_API_TOKEN:-0123456789abcdef0123456789abcdef01234567}"

if ! command -v docker >/dev/null 2>&1; then
  echo "netbox-docker-test: docker is not installed; cannot start NetBox." >&2
  exit 1
fi
if ! docker info >/dev/null 2>&1; then
  echo "netbox-docker-test: no Docker engine is reachable ('docker info' failed); cannot start NetBox." >&2
  echo "netbox-docker-test: run the acceptance tests against the NetBox emulator instead: TF_ACC=1 go test ./internal/provider/... -run TestAcc" >&2
  exit 1
fi
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "netbox-docker-test: neither 'docker compose' nor 'docker-compose' is available." >&2
  exit 1
fi
compose+=(-f "$compose_file")

cleanup() {
  if [[ "${KEEP_NETBOX:-}" == 1 ]]; then
    echo "netbox-docker-test: leaving NetBox running at $url (stop: ${compose[*]} down -v)" >&2
  else
    "${compose[@]}" down -v --remove-orphans >&2 || true
  fi
}
trap cleanup EXIT

echo "netbox-docker-test: starting NetBox (the first start runs migrations and takes a few minutes) ..." >&2
"${compose[@]}" up -d --wait

echo "netbox-docker-test: waiting for $url/api/status/ ..." >&2
deadline=$((SECONDS + 600))
until curl -fsS -H "Authorization: Token $NETBOX_API_TOKEN" -H "Accept: application/json" \
  "$url/api/status/" >/dev/null 2>&1; do
  if ((SECONDS > deadline)); then
    echo "netbox-docker-test: NetBox did not answer $url/api/status/ within 10 minutes" >&2
    "${compose[@]}" logs --tail 50 netbox >&2 || true
    exit 1
  fi
  sleep 5
done
curl -fsS -H "Authorization: Token $NETBOX_API_TOKEN" "$url/api/status/" >&2 && echo >&2

# A Terraform-compatible CLI (terraform on PATH, else OpenTofu built via tools/tofu).
tf_env="$("$root/scripts/tf-cli.sh" --env)"
eval "$tf_env"

cd "$root"
TF_ACC=1 \
  HEDGEHOG_TEST_NETBOX_URL="$url" \
  HEDGEHOG_TEST_NETBOX_TOKEN="$NETBOX_API_TOKEN" \
  go test ./internal/provider/... -run 'TestAcc' -count=1 -timeout 30m "$@"
