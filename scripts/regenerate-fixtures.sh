#!/usr/bin/env bash
# Regenerates the reference fixtures from the real diffusers scheduler and compares them, value for value,
# with the committed set in fixtures/diffusers-0.37.0/. Not run by CI: it needs root (debootstrap, chroot,
# mount), about 2 GB of disk and Debian's package archive, and it runs diffusers' own code, which this
# repository does not contain.
#
# Usage:
#   scripts/regenerate-fixtures.sh [options] DDIM_FILE DPM_FILE
#
#   DDIM_FILE       diffusers 0.37.0's src/diffusers/schedulers/scheduling_ddim_cogvideox.py (the DDIM suites);
#   DPM_FILE        diffusers 0.37.0's src/diffusers/schedulers/scheduling_dpm_cogvideox.py (the dpm-* suites).
#                   Get them from a clone of the diffusers repository (huggingface/diffusers):
#                     for f in ddim dpm; do git -C diffusers show \
#                       v0.37.0:src/diffusers/schedulers/scheduling_${f}_cogvideox.py > scheduling_${f}_cogvideox.py; done
#                   or from the 0.37.0 wheel or sdist (`pip download --no-deps diffusers==0.37.0`), where they are
#                   under diffusers/schedulers/. The files are used in place; never commit them.
#
# Options:
#   --root DIR   the Debian 13 chroot with torch 2.6 (default: torch-root beside the repository, i.e.
#                ../torch-root from the repository root); built by ../shared/tools/torch-chroot.sh if absent.
#   --out DIR    where the regenerated sets go (default: a new temporary folder); it gets
#                torch-2.6-cpu/ and, with --host, torch-1.13-cpu/.
#   --host       also run this machine's own /usr/bin/python3 (Debian 12's python3-torch 1.13 and
#                python3-numpy, installed with apt-get if missing) and compare with the torch-1.13-cpu set.
#   --committed-inputs
#                take every input tensor from the committed files (generate.py --inputs-from) instead of
#                drawing it again from its seed; checks the outputs even if the seeding scheme were wrong.
#   --install    copy the regenerated files over the committed ones, whatever the comparison found (review
#                the change with your version control before committing it).
#
# What it does:
#   1. builds (or reuses) the chroot with ../shared/tools/torch-chroot.sh and mounts /proc in it;
#   2. copies fixtures/generate.py, DDIM_FILE, DPM_FILE and the committed torch-2.6-cpu set into DIR/gen/;
#   3. runs `python3 /gen/generate.py --diffusers-source ...` in the chroot: every suite, its inputs drawn
#      from their seeds (the scheme that made the committed inputs), every output computed by diffusers on
#      torch 2.6;
#   4. runs `generate.py --compare` of the committed set against the new one (exit 1 on any difference);
#   5. with --host, the same with the host's python3 and torch 1.13 against torch-1.13-cpu.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root="$(cd "$repo/.." && pwd)/torch-root"
out=""
host=0
committed_inputs=0
install=0
source_file=""
dpm_file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=${2:?--root needs a folder}; shift 2 ;;
    --out) out=${2:?--out needs a folder}; shift 2 ;;
    --host) host=1; shift ;;
    --committed-inputs) committed_inputs=1; shift ;;
    --install) install=1; shift ;;
    -h|--help) usage 0 ;;
    -*) echo "unknown option $1" >&2; usage ;;
    *) if [ -z "$source_file" ]; then source_file=$1; elif [ -z "$dpm_file" ]; then dpm_file=$1; else usage; fi
       shift ;;
  esac
done
[ -n "$source_file" ] && [ -n "$dpm_file" ] || usage
for f in "$source_file" "$dpm_file"; do [ -f "$f" ] || { echo "no such file: $f" >&2; exit 2; }; done
grep -q "class CogVideoXDDIMScheduler" "$source_file" \
  || { echo "$source_file does not define CogVideoXDDIMScheduler" >&2; exit 2; }
grep -q "class CogVideoXDPMScheduler" "$dpm_file" \
  || { echo "$dpm_file does not define CogVideoXDPMScheduler" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "needs root (debootstrap, chroot, mount)" >&2; exit 2; }

version=0.37.0
committed="$repo/fixtures/diffusers-$version"
chroot_tool="$repo/../shared/tools/torch-chroot.sh"
[ -f "$chroot_tool" ] || { echo "missing $chroot_tool (the shared folder sits beside the repository)" >&2; exit 2; }
[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/cogddim-fixtures.XXXXXX")
mkdir -p "$out"
inputs_args() { [ "$committed_inputs" = 0 ] || printf '%s\n' --inputs-from "$1"; }

echo "== 1. torch 2.6 chroot in $root"
bash "$chroot_tool" "$root"

echo "== 2. staging under $root/gen"
rm -rf "$root/gen"
mkdir -p "$root/gen/committed"
cp "$repo/fixtures/generate.py" "$repo/fixtures/rule_suites.py" "$repo/fixtures/randn_fixtures.py" "$repo/fixtures/seeded_loop.py" "$root/gen/"
cp "$source_file" "$root/gen/scheduling_ddim_cogvideox.py"
cp "$dpm_file" "$root/gen/scheduling_dpm_cogvideox.py"
cp "$committed/torch-2.6-cpu/"*.json "$root/gen/committed/"

echo "== 3. generating with diffusers $version on torch 2.6"
mapfile -t in_args < <(inputs_args /gen/committed)
chroot "$root" python3 /gen/generate.py --out /gen/out \
  --diffusers-source /gen/scheduling_ddim_cogvideox.py /gen/scheduling_dpm_cogvideox.py \
  --diffusers-version "$version" --seeded-5b also "${in_args[@]}"
rm -rf "$out/torch-2.6-cpu"
cp -r "$root/gen/out" "$out/torch-2.6-cpu"

status=0
echo "== 4. comparing committed torch-2.6-cpu with $out/torch-2.6-cpu"
chroot "$root" python3 /gen/generate.py --compare /gen/committed /gen/out || status=1
cmp "$committed/torch-2.6-cpu/randn.cogddim-randn" "$root/gen/out/randn.cogddim-randn" || status=1
cmp "$committed/torch-2.6-cpu/seeded-dpm-5b.cogddim-trajectory" "$root/gen/out/seeded-dpm-5b.cogddim-trajectory" || status=1

if [ "$host" = 1 ]; then
  echo "== 5. the host's python3 (torch 1.13)"
  if ! /usr/bin/python3 -c "import torch, numpy" 2>/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy >/dev/null
  fi
  mapfile -t in_args < <(inputs_args "$committed/torch-1.13-cpu")
  /usr/bin/python3 "$repo/fixtures/generate.py" --out "$out/torch-1.13-cpu" \
    --diffusers-source "$source_file" "$dpm_file" --diffusers-version "$version" --seeded-5b also "${in_args[@]}"
  echo "== comparing committed torch-1.13-cpu with $out/torch-1.13-cpu"
  /usr/bin/python3 "$repo/fixtures/generate.py" --compare "$committed/torch-1.13-cpu" "$out/torch-1.13-cpu" || status=1
  cmp "$committed/torch-1.13-cpu/randn.cogddim-randn" "$out/torch-1.13-cpu/randn.cogddim-randn" || status=1
  cmp "$committed/torch-1.13-cpu/seeded-dpm-5b.cogddim-trajectory" "$out/torch-1.13-cpu/seeded-dpm-5b.cogddim-trajectory" || status=1
fi

if [ "$install" = 1 ]; then
  for set in torch-2.6-cpu torch-1.13-cpu; do
    if [ -d "$out/$set" ]; then
      cp "$out/$set/"*.json "$out/$set/randn.cogddim-randn" "$out/$set/seeded-dpm-5b.cogddim-trajectory" "$committed/$set/"
      echo "installed $out/$set into $committed/$set"
    fi
  done
fi
echo "regenerated sets are in $out"
exit "$status"
