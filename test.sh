#!/usr/bin/env bash
# Restores, builds and runs every test (generator and runtime). Extra arguments go to dotnet test
# (e.g. --filter FullyQualifiedName~Symmetries).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --for-tests
log=$(mktemp)
echo "Building GmnGen.sln (Release)..."
dotnet build GmnGen.sln -c Release -v quiet -nologo > "$log" 2>&1 || { cat "$log"; rm -f "$log"; exit 1; }
rm -f "$log"
exec dotnet test GmnGen.sln -c Release --no-build -nologo "$@"
