#!/usr/bin/env bash
# Runs every test of the solution on a fresh Debian 12 machine with the .NET 10 SDK:
# installs the native and system dependencies (scripts/setup.sh), builds, runs, and prints the summary.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter "FullyQualifiedName~Reference"]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f scripts/setup.sh ]; then
  bash scripts/setup.sh
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet build CogDdim.sln -c Release -nologo -clp:ErrorsOnly
status=0
dotnet test CogDdim.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log" || status=$?

# The simd loops again on narrower vectors, so that every vector path runs (on .NET 10 the AVX-512 knob is
# DOTNET_EnableAVX512; DOTNET_EnableAVX512F is not read). Each pass logs the widths it had.
if [ $# -eq 0 ]; then
  for knob in DOTNET_EnableAVX512=0 DOTNET_EnableAVX2=0; do
    echo "== simd tests with $knob: $(env "$knob" dotnet src/CogDdim.Cli/bin/Release/net10.0/cogddim.dll bench --widths)"
    env "$knob" dotnet test tests/Conformance -c Release --no-build -nologo \
      --filter "FullyQualifiedName~CogDdim.Conformance.Simd" 2>&1 | tee -a "$log" || status=$?
  done
fi

# dotnet test prints one summary per test assembly; add them up into one closing line.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "Tests: $passed passed, $failed failed"
exit "$status"
