#!/usr/bin/env bash
# Runs every ReleaseBoard test (unit, component, integration and browser tests) after setting up what they need:
# Debian's Chromium, Alertmanager and docker-compose, and the npm packages in wwwroot-assets. Ends with one line:
# "N passed, N failed, N skipped", and exits non-zero on any failure.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Debian packages the tests drive for real: Chromium for the browser tests, Alertmanager for the webhook integration,
# docker-compose to validate docker-compose.yml (no Docker engine needed for that), Caddy as the TLS-terminating
# reverse proxy in front of the app, HAProxy as the load balancer in front of two instances, and OpenSSL as an
# independent HMAC to check outgoing signatures with.
chromium="${RELEASEBOARD_CHROMIUM:-/usr/bin/chromium}"
alertmanager="${RELEASEBOARD_ALERTMANAGER:-/usr/bin/prometheus-alertmanager}"
compose="${RELEASEBOARD_DOCKER_COMPOSE:-/usr/bin/docker-compose}"
caddy="${RELEASEBOARD_CADDY:-/usr/bin/caddy}"
haproxy="${RELEASEBOARD_HAPROXY:-/usr/sbin/haproxy}"
missing=()
[ -x "$chromium" ] || missing+=(chromium fonts-dejavu-core)
[ -x "$alertmanager" ] || missing+=(prometheus-alertmanager)
[ -x "$compose" ] || missing+=(docker-compose)
[ -x "$caddy" ] || missing+=(caddy)
[ -x "$haproxy" ] || missing+=(haproxy)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages for the tests: ${missing[*]}..."
    apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || { echo "Could not install ${missing[*]} with apt-get." >&2; exit 1; }
  else
    echo "Missing: ${missing[*]}. Install Debian's packages as root (apt-get install ${missing[*]})," >&2
    echo "or point RELEASEBOARD_CHROMIUM / _ALERTMANAGER / _DOCKER_COMPOSE / _CADDY / _HAPROXY at the binaries." >&2
    exit 1
  fi
fi

command -v dotnet >/dev/null 2>&1 || { echo "Missing: the .NET 10 SDK (dotnet)." >&2; exit 1; }
command -v npm >/dev/null 2>&1 \
  || { echo "Missing: Node.js with npm, needed for the client-side packages in wwwroot-assets." >&2; exit 1; }

echo "Installing npm packages (wwwroot-assets, tools/openapi-lint)..."
(cd wwwroot-assets && npm ci --no-audit --no-fund --loglevel=error) \
  || { echo "npm ci failed in wwwroot-assets." >&2; exit 1; }
(cd tools/openapi-lint && npm ci --no-audit --no-fund --loglevel=error) \
  || { echo "npm ci failed in tools/openapi-lint." >&2; exit 1; }

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# Build every project first (the benchmarks too, which no test runs), so nothing in the solution rots unnoticed.
dotnet build ReleaseBoard.sln 2>&1 | tail -n 30 | tee "$log"
if [ "${PIPESTATUS[0]}" -ne 0 ]; then
  echo "The build failed: see the errors above." >&2
  echo "0 passed, 0 failed, 0 skipped"
  exit 1
fi
# One test module at a time: the browser tests time what a person would see, so they get the machine to themselves.
dotnet test --solution ReleaseBoard.sln --no-build --max-parallel-test-modules 1 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The OpenAPI document as the app serves it (a test pins the served one to this file) against Redocly CLI's
# recommended rules; an error fails the run. No telemetry, no update check: nothing leaves the machine.
echo "Linting the OpenAPI document (Redocly CLI, recommended rules)..."
(cd tools/openapi-lint && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  node_modules/.bin/redocly lint --config redocly.yaml --format=summary \
  ../../tests/ReleaseBoard.Tests/Features/Ingestion/openapi.v1.json 2>&1 | grep -vE "[║╔╚]")
lint=${PIPESTATUS[0]}
if [ "$lint" -ne 0 ]; then
  echo "The OpenAPI document has lint errors (above)." >&2
  status=$(( status == 0 ? 1 : status ))
fi

count() { grep -E "^\s+$1: [0-9]+" "$log" | tail -n 1 | grep -oE '[0-9]+' || true; }
passed="$(count succeeded)"; failed="$(count failed)"; skipped="$(count skipped)"
if [ -z "$passed" ]; then
  echo "No test summary: the build or the test run failed before any test reported (exit code $status)." >&2
  exit "$(( status == 0 ? 1 : status ))"
fi
if [ "${failed:-0}" -ne 0 ]; then
  # The full log is long; repeat each failure (name, message, first lines of the stack) just above the summary line.
  echo "Failed tests:"
  grep -E -A12 "^\s*failed [A-Za-z_]" "$log" | grep -vE "^\s+at (System|Microsoft|Xunit)\." | head -n 200
fi
echo "${passed} passed, ${failed:-0} failed, ${skipped:-0} skipped"
if [ "$status" -ne 0 ] || [ "${failed:-0}" -ne 0 ]; then
  exit "$(( status == 0 ? 1 : status ))"
fi
