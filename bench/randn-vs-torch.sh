#!/usr/bin/env bash
# torch.randn(1, 13, 16, 60, 90) from a seeded CPU generator: CogDdim.Rng against torch 1.13 (this machine's
# /usr/bin/python3) and torch 2.6 (the Debian 13 chroot), interleaved ROUNDS times in one window, the same
# measurement on each side (median and minimum of 40 single calls, a new array or tensor per call, one thread).
# Usage: bench/randn-vs-torch.sh [--root DIR] [--rounds N] [dtype ...]   (root: ../torch26-root)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root="$(cd "$repo/.." && pwd)/torch26-root"
rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) break ;;
  esac
done
dotnet build "$repo/bench/CogDdim.Benchmarks" -c Release -v q -nologo >/dev/null
bench="$repo/bench/CogDdim.Benchmarks/bin/Release/net10.0/CogDdim.Benchmarks.dll"
stage="$root/tmp/cogddim-randn-bench"   # not $root/gen: fixture generation stages there
mkdir -p "$stage" && cp "$repo/bench/randn_timing.py" "$stage/randn_timing.py"
for _ in $(seq "$rounds"); do
  dotnet "$bench" randn-timing "$@"
  /usr/bin/python3 "$repo/bench/randn_timing.py" "$@"
  [ -d "$root" ] && chroot "$root" python3 /tmp/cogddim-randn-bench/randn_timing.py "$@" 2>&1 | grep -v UCX || true
done
