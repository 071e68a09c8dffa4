#!/usr/bin/env bash
# Restores, builds and runs every test (generator and runtime). Extra arguments go to dotnet test
# (e.g. --filter FullyQualifiedName~Symmetries).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
dotnet build GmnGen.sln -c Release -v quiet -nologo "-clp:ErrorsOnly;NoSummary"
exec dotnet test GmnGen.sln -c Release --no-build -nologo "$@"
