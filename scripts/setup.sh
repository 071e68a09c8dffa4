#!/usr/bin/env bash
# Shared set-up for the README's commands: the .NET SDK must be on PATH; Fashion-MNIST comes from
# Debian's dataset-fashion-mnist package (installed here when missing and we may use apt).
set -euo pipefail
data=${GMNGEN_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
if [ ! -f "$data/t10k-labels-idx1-ubyte.gz" ]; then
  if [ "$(id -u)" = 0 ]; then apt_get="apt-get"; elif command -v sudo >/dev/null; then apt_get="sudo apt-get"; else apt_get=""; fi
  if [ -n "$apt_get" ]; then
    echo "Installing Fashion-MNIST (Debian package dataset-fashion-mnist)..."
    $apt_get update -qq && DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq dataset-fashion-mnist >/dev/null
  else
    echo "Fashion-MNIST is missing: install the Debian package dataset-fashion-mnist, or set GMNGEN_FASHION_MNIST" >&2
    exit 1
  fi
fi
# The tests also check safetensors files both ways against PyTorch: Debian's python3-torch.
if [ "${1:-}" = "--for-tests" ] && ! /usr/bin/python3 -c "import torch" >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt_get="apt-get"; elif command -v sudo >/dev/null; then apt_get="sudo apt-get"; else apt_get=""; fi
  if [ -n "$apt_get" ]; then
    echo "Installing PyTorch for the interop tests (Debian package python3-torch)..."
    $apt_get update -qq && DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq python3-torch >/dev/null
  else
    echo "The PyTorch interop tests need Debian's python3-torch (not installed, and apt is not available to us)" >&2
  fi
fi
command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet not found on PATH)" >&2; exit 1; }
