#!/usr/bin/env bash
# Accepts the current public API of every packed assembly into its PublicAPI.Unshipped.txt, from the compiler's own
# words: the build's RS0016 ("Symbol '...' is not part of the declared public API") lines are added, its RS0017
# ("... is part of the declared API, but is either not public or could not be found") lines are removed. The
# analyzer (Microsoft.CodeAnalysis.PublicApiAnalyzers) fails every other build whose public API differs from the
# files, so a change to the API is always a reviewed diff of these files.
# Usage: scripts/public-api.sh            (then review `git diff '*PublicAPI*'`)
set -euo pipefail
cd "$(dirname "$0")/.."
projects=${*:-$(grep -l '<IsPackable>true</IsPackable>' src/*/*.csproj | grep -v CogDdim.Cli)}
for project in $projects; do
  dir=$(dirname "$project")
  for file in PublicAPI.Shipped.txt PublicAPI.Unshipped.txt; do
    [ -f "$dir/$file" ] || printf '#nullable enable\n' > "$dir/$file"
  done
  for pass in 1 2 3; do
    log=$(mktemp)
    dotnet build "$project" -c Release -nologo -clp:NoSummary --no-incremental -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true
    added=$(grep -E "RS0016" "$log" | grep -E "^$PWD/$dir/|^$dir/|/$dir/" | sed -nE "s/.*Symbol '(.*)' is not part of the declared public API.*/\1/p" | sort -u || true)
    removed=$(grep -E "RS0017" "$log" | sed -nE "s/.*Symbol '(.*)' is part of the declared API, but is either not public or could not be found.*/\1/p" | sort -u || true)
    rm -f "$log"
    [ -z "$added" ] && [ -z "$removed" ] && break
    if [ -n "$removed" ]; then
      while IFS= read -r symbol; do
        grep -vxF -- "$symbol" "$dir/PublicAPI.Unshipped.txt" > "$dir/PublicAPI.Unshipped.tmp" || true
        mv "$dir/PublicAPI.Unshipped.tmp" "$dir/PublicAPI.Unshipped.txt"
      done <<< "$removed"
    fi
    if [ -n "$added" ]; then
      { head -n 1 "$dir/PublicAPI.Unshipped.txt"; { tail -n +2 "$dir/PublicAPI.Unshipped.txt"; echo "$added"; } | sort -u; } > "$dir/PublicAPI.Unshipped.tmp"
      mv "$dir/PublicAPI.Unshipped.tmp" "$dir/PublicAPI.Unshipped.txt"
    fi
  done
  echo "$dir: $(($(wc -l < "$dir/PublicAPI.Shipped.txt") + $(wc -l < "$dir/PublicAPI.Unshipped.txt") - 2)) public API lines"
done
