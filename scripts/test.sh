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

# dotnet test prints one summary per test assembly; add them up into one closing line.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "Tests: $passed passed, $failed failed"
exit "$status"
