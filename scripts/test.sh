#!/usr/bin/env bash
# Runs every test of the solution on a fresh Debian 12 machine with the .NET 10 SDK:
# installs the native and system dependencies (scripts/setup.sh), builds, runs, and prints the summary.
#
# Usage: scripts/test.sh [--accept-snapshots] [extra dotnet test arguments, e.g. --filter "FullyQualifiedName~Reference"]
#
# Snapshots are strict (SNAPSHOOTER_STRICT_MODE=true): a missing __snapshots__/*.snap fails its test instead of being
# written, and the snapshot tests also fail on a .snap file that no test owns any more. --accept-snapshots turns
# strict mode off for this run, so that new snapshots are written (review and commit them).
#
# Passes: the default one (every test project), then, without extra arguments, the simd tests again with
# DOTNET_EnableAVX512=0 and with DOTNET_EnableAVX2=0, so that every vector path runs. Each test project writes a
# result file (--logger trx); the summary is added up from those files, per pass, and the last line says what they
# hold: passed, failed, skipped, and every test host that aborted (crashed) or left no result file. The exit status
# is non-zero when anything failed, aborted, or is missing. The files stay in artifacts/test-results/.
set -euo pipefail
cd "$(dirname "$0")/.."

accept=0
args=()
for arg in "$@"; do
  case "$arg" in
    --accept-snapshots) accept=1 ;;
    *) args+=("$arg") ;;
  esac
done

if [ -f scripts/setup.sh ]; then
  bash scripts/setup.sh
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [ "$accept" = 1 ]; then
  export SNAPSHOOTER_STRICT_MODE=false
  echo "== snapshots: accepting new ones (strict mode off); review what was written under __snapshots__/"
else
  export SNAPSHOOTER_STRICT_MODE=true
fi

# The result files stay for CI to keep: artifacts/test-results/PASS/PROJECT/*.trx (emptied at every run).
results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

# The solution's test projects, in solution order.
mapfile -t projects < <(dotnet sln CogDdim.sln list | grep -E '\.csproj$' | while read -r p; do
  if grep -qE '<IsTestProject>true</IsTestProject>' "$p"; then echo "$p"; fi
done)
[ "${#projects[@]}" -gt 0 ] || { echo "no test projects found in CogDdim.sln" >&2; exit 1; }

dotnet build CogDdim.sln -c Release -nologo -clp:ErrorsOnly
status=0
passes=()

# run_pass NAME ENV -- PROJECT... -- DOTNET-TEST-ARGS...: one dotnet test per project, its trx under $results/NAME/.
run_pass() {
  local name=$1 knob=$2
  shift 3
  local projs=()
  while [ "$1" != "--" ]; do projs+=("$1"); shift; done
  shift
  passes+=("$name")
  local p dir
  for p in "${projs[@]}"; do
    dir="$results/$name/$(basename "$p" .csproj)"
    mkdir -p "$dir"
    echo "$p" > "$dir/project"
    env ${knob:+"$knob"} dotnet test "$p" -c Release --no-build -nologo --logger trx --results-directory "$dir" "$@" \
      || status=$?
  done
}

# The default pass must run the 512-bit loops where the CPU has AVX-512 (what .NET's Vector512 needs: F, BW, CD, DQ,
# VL); on a CPU without it, the closing line says that they did not run.
cli=src/CogDdim.Cli/bin/Release/net10.0/cogddim.dll
widths_note=""
if default_widths=$(dotnet "$cli" bench --widths); then
  echo "== default pass: $default_widths"
  cpu_avx512=1
  for flag in avx512f avx512bw avx512cd avx512dq avx512vl; do
    grep -qw "$flag" /proc/cpuinfo 2>/dev/null || cpu_avx512=0
  done
  if [[ $default_widths == "vector widths: 512 yes"* ]]; then
    :
  elif [ "$cpu_avx512" = 1 ]; then
    echo "== FAILED: this CPU has AVX-512 but the default pass does not accelerate Vector512 ($default_widths)"
    widths_note="; the 512-bit loops did NOT run although the CPU has AVX-512"
    status=1
  else
    echo "== WARNING: THIS CPU HAS NO AVX-512: the 512-bit simd loops are not tested on this machine"
    widths_note="; the 512-bit loops did NOT run (no AVX-512 on this CPU)"
  fi
else
  echo "== FAILED: cogddim bench --widths exited with $? on the default pass"
  widths_note="; cogddim bench --widths failed"
  status=1
fi

run_pass default "" -- "${projects[@]}" -- "${args[@]}"

# The simd tests again on narrower vectors (on .NET 10 the AVX-512 knob is DOTNET_EnableAVX512; DOTNET_EnableAVX512F
# is not read). Each pass logs the widths it had; a failing `bench --widths` fails the run.
if [ "${#args[@]}" -eq 0 ]; then
  for knob in DOTNET_EnableAVX512=0 DOTNET_EnableAVX2=0; do
    if widths=$(env "$knob" dotnet "$cli" bench --widths); then
      echo "== simd tests with $knob: $widths"
    else
      echo "== simd tests with $knob: FAILED: cogddim bench --widths exited with $? ($widths)"
      status=1
    fi
    run_pass "$knob" "$knob" -- tests/Conformance/Conformance.Tests.csproj -- \
      --filter "FullyQualifiedName~CogDdim.Conformance.Simd"
  done
fi

# Adds up one result file: prints "passed failed skipped aborted reason".
trx_counts() {
  awk '
    /<UnitTestResult / {
      if (match($0, /outcome="[A-Za-z]+"/)) {
        o = substr($0, RSTART + 9, RLENGTH - 10)
        if (o == "Passed") p++; else if (o == "NotExecuted") s++; else f++
      }
    }
    more == 1 { line = $0; gsub(/^ +| +$/, "", line); reason = reason " " line; more = 0 }
    /The active test run was aborted/ { a = 1; if (reason == "") { reason = $0; sub(/.*Reason: /, "", reason); more = 1 } }
    /<ResultSummary outcome="Aborted"/ { a = 1 }
    END { printf "%d %d %d %d %s\n", p, f, s, a, reason }' "$1"
}

total_passed=0 total_failed=0 total_skipped=0
broken=()
per_pass=()
echo "== results (from the trx files)"
for name in "${passes[@]}"; do
  pass_passed=0 pass_failed=0 pass_skipped=0
  for dir in "$results/$name"/*/; do
    project=$(cat "$dir/project")
    shopt -s nullglob
    files=("$dir"*.trx)
    shopt -u nullglob
    if [ "${#files[@]}" -eq 0 ]; then
      echo "   $name: $project: NO RESULT FILE (the test host did not report)"
      broken+=("$project ($name pass): no result file")
      continue
    fi
    for trx in "${files[@]}"; do
      read -r p f s a reason < <(trx_counts "$trx")
      pass_passed=$((pass_passed + p)) pass_failed=$((pass_failed + f)) pass_skipped=$((pass_skipped + s))
      if [ "$a" = 1 ]; then
        echo "   $name: $project: $p passed, $f failed, $s skipped, ABORTED: $reason"
      else
        echo "   $name: $project: $p passed, $f failed, $s skipped"
      fi
      if [ "$a" = 1 ]; then
        broken+=("$project ($name pass) aborted: $reason")
      fi
    done
  done
  per_pass+=("$name $pass_passed/$pass_failed/$pass_skipped")
  total_passed=$((total_passed + pass_passed)) total_failed=$((total_failed + pass_failed)) total_skipped=$((total_skipped + pass_skipped))
done

plain="Tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
# The detail line, then the plain closing line CI reads (counts from the trx files).
summary="Tests: $total_passed passed, $total_failed failed, $total_skipped skipped in ${#passes[@]} pass(es) [passed/failed/skipped: $(IFS=';'; echo "${per_pass[*]}" | sed 's/;/, /g')]$widths_note"
if [ "${#broken[@]}" -gt 0 ]; then
  echo "$summary; ${#broken[@]} TEST HOST(S) ABORTED OR LEFT NO RESULT (each counted as a failure below): $(IFS='|'; echo "${broken[*]}" | sed 's/|/; /g')"
  echo "Tests: $total_passed passed, $((total_failed + ${#broken[@]})) failed, $total_skipped skipped"
  exit 1
fi
if [ "$total_failed" -gt 0 ]; then
  echo "$summary; every test host finished"
  echo "$plain"
  exit 1
fi
if [ "$status" != 0 ]; then
  echo "$summary; every test host finished, but a command exited with status $status"
  echo "$plain"
  exit "$status"
fi
echo "$summary; every test host finished"
echo "$plain"
