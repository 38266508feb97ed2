#!/usr/bin/env bash
# The packages as a user meets them, outside the repository:
#   1. packs the solution into artifacts/packages (unless --no-pack);
#   2. a new console app in a temporary folder adds CogDdim.Runtime with `dotnet add package`, gets a real
#      scheduler_config.json (CogVideoX-5b's), builds, and runs a 50-step bfloat16/float32 loop with the runtime span
#      scheduler and the generated one; a second app with CogDdim.Reference runs the same loop through the scalar
#      reference; all three checksums must be equal (bit for bit);
#   3. the app is published and its folder listed: it must hold no conformance, harness, fixture, reference or torch
#      assembly, and CogDdim.Runtime must not reference System.Diagnostics.Process;
#   4. the cogddim tool is installed into a temporary tool path and runs `conform` on its packaged fixtures and on a
#      port (--candidate), each ending "N passed, 0 failed".
# Usage: scripts/consumer-test.sh [--no-pack]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
packages="$repo/artifacts/packages"
version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$repo/Directory.Build.props")
fail() { echo "consumer test: $*" >&2; exit 1; }

if [ "${1:-}" != "--no-pack" ]; then
  echo "== pack"
  rm -rf "$packages"
  dotnet pack "$repo/CogDdim.sln" -c Release -nologo -clp:ErrorsOnly
fi
echo "packages ($version):"
for p in "$packages"/*.nupkg; do printf '  %-40s %8d KiB\n' "$(basename "$p")" $(( $(stat -c %s "$p") / 1024 )); done

work=$(mktemp -d /tmp/cogddim-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT
# A package cache of its own: a repacked 0.x.y must not be shadowed by an older copy with the same version.
export NUGET_PACKAGES="$work/nuget"
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$packages" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML

echo "== app: dotnet new console + dotnet add package CogDdim.Runtime"
cd "$work"
dotnet new console -o app -f net10.0 >/dev/null
cd app
dotnet add package CogDdim.Runtime --version "$version" >/dev/null
rm -f Program.cs
cp "$repo/scripts/consumer/App.cs" "$repo/scripts/consumer/Loop.cs" .
mkdir -p CogVideoX-5b/scheduler
cp "$repo/samples/CogVideoX5bSample/CogVideoX-5b/scheduler/scheduler_config.json" CogVideoX-5b/scheduler/
# The config is read at run time by the runtime scheduler, and compiled in by the generator (found by its name).
sed -i 's#</Project>#  <ItemGroup><None Include="CogVideoX-5b/scheduler/scheduler_config.json" CopyToOutputDirectory="PreserveNewest" /></ItemGroup>\n</Project>#' app.csproj
dotnet build -c Release -nologo -clp:ErrorsOnly
app_out=$(dotnet run -c Release --no-build)
echo "$app_out"

echo "== checker: the same loop through CogDdim.Reference"
cd "$work"
dotnet new console -o checker -f net10.0 >/dev/null
cd checker
dotnet add package CogDdim.Reference --version "$version" >/dev/null
rm -f Program.cs
cp "$repo/scripts/consumer/Checker.cs" "$repo/scripts/consumer/Loop.cs" .
dotnet build -c Release -nologo -clp:ErrorsOnly
checker_out=$(dotnet run -c Release --no-build -- "$work/app/CogVideoX-5b/scheduler/scheduler_config.json")
echo "$checker_out"

runtime=$(sed -n 's/^runtime //p' <<< "$app_out")
generated=$(sed -n 's/^generated //p' <<< "$app_out")
reference=$(sed -n 's/^reference //p' <<< "$checker_out")
[ -n "$reference" ] && [ "$runtime" = "$reference" ] && [ "$generated" = "$reference" ] \
  || fail "checksums differ: runtime $runtime, generated $generated, reference $reference"
echo "bit for bit: runtime = generated = reference ($reference)"
if grep -q '^references .*System\.Diagnostics\.Process' <<< "$app_out"; then fail "CogDdim.Runtime references System.Diagnostics.Process"; fi

echo "== app: publish folder"
cd "$work/app"
dotnet publish -c Release -nologo -clp:ErrorsOnly -o "$work/publish"
assemblies=$(cd "$work/publish" && ls *.dll | LC_ALL=C sort | tr '\n' ' ')
echo "publish folder assemblies: $assemblies"
for forbidden in CogDdim.Conformance CogDdim.Reference CogDdim.Torch CogDdim.Precision TorchSharp cogddim; do
  [ ! -e "$work/publish/$forbidden.dll" ] || fail "the app's publish folder holds $forbidden.dll"
done
[ "$assemblies" = "CogDdim.Runtime.dll System.Numerics.Tensors.dll app.dll " ] || fail "unexpected assemblies in the publish folder: $assemblies"

echo "== tool: dotnet tool install CogDdim.Tool"
dotnet tool install CogDdim.Tool --version "$version" --tool-path "$work/tools" --configfile "$work/nuget.config" >/dev/null
cd "$work"
expect_pass() {
  local out status=0
  out=$("$@" 2>&1) || status=$?
  tail -n 3 <<< "$out"
  local last=$(tail -n 1 <<< "$out")
  [[ $status -eq 0 && $last =~ ^[1-9][0-9]*\ passed,\ 0\ failed$ ]] || fail "'$*' ended with status $status: $last"
}
echo "-- cogddim conform (packaged fixtures)"
expect_pass "$work/tools/cogddim" conform
echo "-- cogddim conform --candidate (the Python example port)"
expect_pass "$work/tools/cogddim" conform --candidate "/usr/bin/python3 $repo/examples/python-numpy/cogddim_port.py"
echo "-- cogddim conform --backend torch (libtorch is not in the tool package: a usage error, exit 2)"
status=0; out=$("$work/tools/cogddim" conform --backend torch 2>&1) || status=$?
echo "$out" | tail -n 1
[ $status -eq 2 ] && grep -q "needs libtorch" <<< "$out" || fail "--backend torch in the installed tool: status $status: $out"
echo "consumer test: passed"
