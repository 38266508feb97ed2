#!/usr/bin/env bash
# Installs what the TorchSharp backend needs on a Debian machine, and says what it does. Safe to run again: every
# step first checks whether it is already done.
#
# TorchSharp 0.107's native library (libLibTorchSharp.so, built against libtorch 2.10) needs the C++ runtime symbol
# version GLIBCXX_3.4.32 (GCC 13). Debian 12 (bookworm) ships libstdc++6 from GCC 12, which stops at GLIBCXX_3.4.30,
# so loading it fails with "version `GLIBCXX_3.4.32' not found". Only when the symbol version is missing, this script
#   1. adds Debian 13 (trixie) as an apt source, on the same mirror the machine already uses (read from its own
#      /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list: no host is written in this repository),
#   2. pins trixie to priority 100, so that nothing else is ever upgraded from it by accident,
#   3. runs apt-get update and installs libstdc++6 (and what it depends on) from trixie.
# libstdc++6 is backward compatible: everything built for Debian 12 keeps working with the newer runtime. It needs
# trixie's libc6 (2.41), which in turn breaks older base-files: on Debian 12 about 50 packages are upgraded from
# trixie (libc6, locales, dpkg, gcc-14 runtime libraries, base-files, so /etc/os-release then names Debian 13).
#
# Usage: scripts/setup.sh          (as root, or as a user who may sudo)
set -euo pipefail

required=GLIBCXX_3.4.32
sources_file=/etc/apt/sources.list.d/cogddim-trixie.sources
pin_file=/etc/apt/preferences.d/cogddim-trixie.pref

say() { echo "setup: $*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    say "need root for: $*; run this script as root or install sudo" >&2
    exit 1
  fi
}

# The system's 64-bit libstdc++.so.6, as the dynamic loader finds it.
libstdcxx_path() {
  local path
  path=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64|libstdc\+\+\.so\.6 .*AArch64/ { print $NF; exit }')
  if [ -z "$path" ]; then
    path=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6/ { print $NF; exit }')
  fi
  echo "$path"
}

# binutils' strings is not on every fresh machine; grep -a reads the version strings as well.
has_symbol_version() {
  local lib=$1
  [ -n "$lib" ] && [ -e "$lib" ] || return 1
  # grep reads to the end (no -q): an early exit would kill strings with SIGPIPE and fail the pipeline.
  if command -v strings >/dev/null 2>&1; then
    strings "$lib" | grep -x "$required" >/dev/null
  else
    grep -a "$required" "$lib" >/dev/null
  fi
}

# The URI of the machine's main Debian archive (not the security archive), from its existing apt sources.
debian_mirror() {
  local uri=""
  if [ -r /etc/apt/sources.list.d/debian.sources ]; then
    # deb822: take the URIs of the first stanza whose Suites do not name a -security suite.
    uri=$(awk '
      /^[[:space:]]*$/ { if (u != "" && !sec) { print u; exit } u = ""; sec = 0; next }
      /^URIs:/ { u = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i ~ /-security$/) sec = 1 }
      END { if (u != "" && !sec) print u }
    ' /etc/apt/sources.list.d/debian.sources | head -n 1)
  fi
  if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
    # one-line format: "deb [options] URI SUITE COMPONENTS…"; skip the security archive.
    uri=$(awk '
      $1 == "deb" {
        i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) !~ /-security$/ && $i !~ /security/) { print $i; exit }
      }
    ' /etc/apt/sources.list)
  fi
  echo "${uri%/}"
}

lib=$(libstdcxx_path)
if has_symbol_version "$lib"; then
  say "$lib has $required: nothing to install"
  exit 0
fi
say "${lib:-libstdc++.so.6} lacks $required, which TorchSharp's native library needs"

if ! command -v apt-get >/dev/null 2>&1; then
  say "this is not a Debian-like system (no apt-get): install a libstdc++ from GCC 13 or newer yourself" >&2
  exit 1
fi

if [ ! -e "$sources_file" ]; then
  mirror=$(debian_mirror)
  if [ -z "$mirror" ]; then
    say "found no Debian archive in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list" >&2
    exit 1
  fi
  say "adding Debian 13 (trixie) from $mirror as an apt source: $sources_file"
  as_root tee "$sources_file" >/dev/null <<EOF
# Added by CogDdim's scripts/setup.sh: libstdc++6 from trixie for TorchSharp (GLIBCXX_3.4.32).
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
else
  say "trixie apt source already present: $sources_file"
fi

if [ ! -e "$pin_file" ]; then
  say "pinning trixie to priority 100 (used only when asked for by -t trixie): $pin_file"
  as_root tee "$pin_file" >/dev/null <<'EOF'
# Added by CogDdim's scripts/setup.sh: take packages from trixie only when asked for.
Package: *
Pin: release n=trixie
Pin-Priority: 100
EOF
else
  say "trixie pin already present: $pin_file"
fi

say "apt-get update"
as_root apt-get update -qq
say "apt-get install -y -t trixie libstdc++6 (upgrades libc6 and what depends on it to trixie's versions)"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie libstdc++6 >/dev/null

lib=$(libstdcxx_path)
if has_symbol_version "$lib"; then
  say "$lib now has $required"
else
  say "installing libstdc++6 from trixie did not bring $required into ${lib:-libstdc++.so.6}" >&2
  exit 1
fi
