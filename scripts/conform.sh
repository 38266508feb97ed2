#!/usr/bin/env bash
# The main job: every backend we ship against the committed fixtures (both sets), on defaults.
# Usage: scripts/conform.sh [cogddim conform arguments, e.g. fixtures/diffusers-0.37.0/torch-2.6-cpu]
# Set BACKENDS="reference simd" to choose backends; the default is every backend the CLI offers.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f scripts/setup.sh ]; then
  bash scripts/setup.sh
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build src/CogDdim.Cli -c Release -nologo -clp:ErrorsOnly
cli=(dotnet src/CogDdim.Cli/bin/Release/net10.0/cogddim.dll)
if [ -n "${BACKENDS:-}" ]; then
  backends=$BACKENDS
elif ! backends=$("${cli[@]}" backends); then
  echo "error: \`cogddim backends\` failed, so the backends to check are unknown; set BACKENDS=\"reference ...\" to choose them" >&2
  exit 1
fi
[ -n "$(echo $backends)" ] || { echo "error: no backends to check" >&2; exit 1; }

total_passed=0 total_failed=0 status=0
for backend in $backends; do
  echo "== backend $backend"
  out=$(mktemp)
  "${cli[@]}" conform --backend "$backend" "$@" | tee "$out" || status=$?
  line=$(tail -n 1 "$out")
  rm -f "$out"
  if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    total_passed=$((total_passed + BASH_REMATCH[1]))
    total_failed=$((total_failed + BASH_REMATCH[2]))
  fi
done
echo "== all backends ($(echo $backends | tr ' ' ','))"
echo "$total_passed passed, $total_failed failed"
exit "$status"
