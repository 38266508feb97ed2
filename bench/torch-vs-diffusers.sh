#!/usr/bin/env bash
# One CogVideoX-5b step ([1, 13, 16, 60, 90]) per dtype on this CPU: the TorchSharp backend (BenchmarkDotNet, exact
# mode as the baseline, fast mode as a ratio to it) and diffusers on torch 2.6 (the chroot the fixtures come from),
# run one after the other on the same machine, then both side by side with their ratio. Not run by CI. Needs root
# (chroot). Usage:
#   bench/torch-vs-diffusers.sh [--root DIR] [--diffusers-source FILE]
#     --root DIR               the torch 2.6 chroot (default: ../torch-root beside the repository), built or reused by
#                              ../shared/tools/torch-chroot.sh (COGDDIM_SHARED overrides ../shared)
#     --diffusers-source FILE  diffusers 0.37.0's scheduling_ddim_cogvideox.py (see scripts/regenerate-fixtures.sh for
#                              where to get it; never commit it). Without it the Python side times the same torch op
#                              sequence that diffusers' step issues, and its output says so.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root="$repo/../torch-root"
source_file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=$2; shift 2 ;;
    --diffusers-source) source_file=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
shared=${COGDDIM_SHARED:-$repo/../shared}
out=$(mktemp -d)

bash "$shared/tools/torch-chroot.sh" "$root"
work="$root/tmp/cogddim-torch-bench"
mkdir -p "$work"
cp "$repo/bench/diffusers_step_timing.py" "$repo/fixtures/generate.py" "$work/"
cp "$repo/fixtures/diffusers-0.37.0/torch-2.6-cpu/cogvideox-5b.json" "$work/config.json"
extra=()
if [ -n "$source_file" ]; then
  cp "$source_file" "$work/scheduling_ddim_cogvideox.py"
  extra=(--diffusers-source /tmp/cogddim-torch-bench/scheduling_ddim_cogvideox.py)
fi
echo "torch-vs-diffusers: diffusers on torch 2.6 (chroot $root)"
chroot "$root" python3 /tmp/cogddim-torch-bench/diffusers_step_timing.py --config /tmp/cogddim-torch-bench/config.json \
  --generate /tmp/cogddim-torch-bench/generate.py "${extra[@]}" 2>&1 | grep -v UCX | tee "$out/diffusers.jsonl"

echo "torch-vs-diffusers: TorchSharp backend (BenchmarkDotNet)"
(cd "$repo/bench/CogDdim.Torch.Bench" && dotnet run -c Release -- --filter '*TorchStepBenchmarks*' --exporters csv --artifacts "$out/bdn")

python3 - "$out/diffusers.jsonl" "$out"/bdn/results/*TorchStepBenchmarks-report.csv <<'PY'
import csv, json, sys
units = {"ns": 1e-6, "μs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1000.0}
def ms(text):
    value, unit = text.replace(",", "").split()
    return float(value) * units[unit]
py = {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        row = json.loads(line); py[row["dtype"]] = row
bdn = {}
for row in csv.DictReader(open(sys.argv[2])):
    bdn[(row["DType"], row["Method"], "median")] = ms(row["Median"])
    bdn[(row["DType"], row["Method"], "min")] = ms(row["Min"])
what = next(iter(py.values()))["what"] if py else "diffusers"
# On a busy machine the median carries other processes' load; the minimum is the least disturbed run. Both are shown.
for stat in ["median", "min"]:
    print(f"\none step, [1, 13, 16, 60, 90], CPU, {stat} of the runs; Python side: {what}")
    print(f"{'dtype':18} {'python ms':>10} {'exact ms':>10} {'fast ms':>10} {'exact/python':>13} {'fast/python':>12} {'fast/exact':>11}")
    for dtype in ["float64", "float32", "float16", "bfloat16", "bfloat16/float32"]:
        p = py.get(dtype, {}).get(stat + "_ms", float("nan"))
        e = bdn.get((dtype, "Exact", stat), float("nan"))
        f = bdn.get((dtype, "FastFused", stat), float("nan"))
        print(f"{dtype:18} {p:10.2f} {e:10.2f} {f:10.2f} {e / p:13.2f} {f / p:12.2f} {f / e:11.2f}")
print(f"load average while measuring: {open('/proc/loadavg').read().split()[:3]} on {__import__('os').cpu_count()} CPUs")
PY
