#!/usr/bin/env bash
# Builds, on a machine with the .NET SDK, what a GPU machine without .NET needs to run gmn on CUDA
# with its own PyTorch install (docs/cuda.md), into .carry/ (git ignores it):
#   .carry/gmn.tar.xz                the gmn tool, self-contained, without libtorch natives
#   .carry/torchsharp-native.tar.xz  TorchSharp's native sources (src/Native), for plan B
# Usage: scripts/cuda/prepare-carry.sh [path/to/a/TorchSharp/checkout at v0.107.0]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.carry
rm -rf "$out" && mkdir -p "$out"
echo "Publishing gmn (self-contained, no libtorch natives)..."
dotnet publish src/GmnGen.Cli -c Release -r linux-x64 --self-contained -p:GmnGenTorchBackend=none -o "$out/gmn" -v quiet -nologo
tar -C "$out" -cJf "$out/gmn.tar.xz" gmn
rm -rf "$out/gmn"
if [ -n "${1:-}" ]; then
  echo "Packing TorchSharp's native sources from $1..."
  git -C "$1" archive --format=tar HEAD src/Native | xz -9 > "$out/torchsharp-native.tar.xz"
fi
du -ch "$out"/* | tail -n 1
ls -l "$out"
