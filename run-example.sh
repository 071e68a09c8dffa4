#!/usr/bin/env bash
# Restores, builds and runs the example: six networks declared with GmnGen attributes (CNN, MLP,
# BatchNorm CNN, ResNet, ViT, DeepSets) are trained
# on Fashion-MNIST, graphed, and permuted by a random automorphism. Extra arguments go to the
# example (e.g. --steps 2000 --seed 3).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
log=$(mktemp)
echo "Building examples/GmnGen.Examples (Release)..."
dotnet build examples/GmnGen.Examples -c Release -v quiet -nologo > "$log" 2>&1 || { cat "$log"; rm -f "$log"; exit 1; }
rm -f "$log"
exec dotnet run --project examples/GmnGen.Examples -c Release --no-build -- "$@"
