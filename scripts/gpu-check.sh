#!/usr/bin/env bash
# The TorchSharp backend on an NVIDIA GPU, in one command (a few minutes once the CUDA package is in the NuGet cache;
# its first download is a few GB). For a Linux x86-64 machine with an NVIDIA driver; not run by CI, which has no GPU.
#
#   scripts/gpu-check.sh            (from anywhere; COGDDIM_TORCH_CUDA_PACKAGE / _VERSION pick another CUDA package)
#
# What it does, building against the CUDA package (-p:CogDdimTorchPackage=…) in its own artifacts folder so that the
# CPU build of the working tree is left alone:
#   1. runs the TorchSharp tests with COGDDIM_TORCH_DEVICE=cuda: every committed fixture case and the property tests
#      against the reference backend, on the GPU, with each suite's semantics profile emulated (0 ULP expected where
#      CUDA's float32/float64 arithmetic is IEEE, which it is for torch's kernels built without fast-math);
#   2. reports the ULP distance of every fixture quantity on cuda, each suite's own profile;
#   3. the same under the opmath profile, i.e. with diffusers' ops issued as written, which on CUDA read every 0-dim
#      scalar as float32: what diffusers computes on a GPU, against the CPU fixtures. float16/bfloat16 results may
#      differ here by design (CUDA follows opmath where the CPU casts the scalar to the tensor's dtype first).
# The full per-quantity tables are written as TSV files; the summaries are printed. Exit status: the tests'.
set -uo pipefail
cd "$(dirname "$0")/.."

package=${COGDDIM_TORCH_CUDA_PACKAGE:-TorchSharp-cuda-linux}
version=${COGDDIM_TORCH_CUDA_VERSION:-0.107.0}
out=${COGDDIM_GPU_CHECK_OUT:-${TMPDIR:-/tmp}/cogddim-gpu-check}
props=(-p:CogDdimTorchPackage="$package" -p:CogDdimTorchPackageVersion="$version" --artifacts-path "$out/artifacts")

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L; then
  echo "gpu-check: no NVIDIA GPU found (nvidia-smi); this check needs one" >&2
  exit 2
fi

bash scripts/setup.sh || exit 2
mkdir -p "$out"

echo "gpu-check: 1. TorchSharp tests on cuda ($package $version)"
COGDDIM_TORCH_DEVICE=cuda dotnet test tests/Conformance "${props[@]}" \
  --filter "FullyQualifiedName~CogDdim.Conformance.TorchBackendTests.TorchFixtureTests|FullyQualifiedName~CogDdim.Conformance.TorchBackendTests.TorchPropertyTests|FullyQualifiedName~CogDdim.Conformance.TorchBackendTests.TorchErrorTests"
tests=$?

report() {
  dotnet run --project tools/CogDdim.Torch.Report "${props[@]}" -- --device cuda "$@"
}

echo "gpu-check: 2. every fixture quantity on cuda, each suite's own semantics profile (per quantity: $out/cuda-suite-profiles.tsv)"
report --tsv "$out/cuda-suite-profiles.tsv"
echo "gpu-check: 3. every fixture quantity on cuda as diffusers computes it there (opmath scalars) (per quantity: $out/cuda-opmath.tsv)"
report --profile opmath --tsv "$out/cuda-opmath.tsv"

for tsv in "$out/cuda-suite-profiles.tsv" "$out/cuda-opmath.tsv"; do
  echo "gpu-check: quantities that differ in $(basename "$tsv") (worst 20 of $(awk -F'\t' 'NR > 1 && $8 != "0"' "$tsv" | wc -l)):"
  awk -F'\t' 'NR > 1 && $8 != "0"' "$tsv" | sort -t$'\t' -k8,8nr | head -20
done

echo "gpu-check: tests $([ "$tests" -eq 0 ] && echo passed || echo FAILED) on cuda"
exit "$tests"
