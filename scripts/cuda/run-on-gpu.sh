#!/usr/bin/env bash
# Runs on a machine with an NVIDIA GPU, Python with PyTorch (CUDA build), cmake and a C++ compiler,
# but no .NET: unpacks .carry/ (scripts/cuda/prepare-carry.sh), points TorchSharp at the installed
# torch's libraries and runs gmn selfcheck, then gmn bench, on the GPU. Plan A uses the
# libLibTorchSharp.so TorchSharp ships (built against libtorch 2.10); if it does not load against
# this torch, plan B builds it from TorchSharp's sources against this torch.
# Settings: GMN_DEVICE (cuda), GMN_OUT (where logs go: $OUT, else ./gpu-run), GMN_BENCH_ARGS,
# GMN_TORCH_LIB (a libtorch folder to use instead of the python torch package's; for a dry run).
set -uo pipefail
cd "$(dirname "$0")/../.."
device=${GMN_DEVICE:-cuda}
out=${GMN_OUT:-${OUT:-gpu-run}}
mkdir -p "$out"
work=$(mktemp -d)
tar -C "$work" -xJf .carry/gmn.tar.xz
torch_lib=${GMN_TORCH_LIB:-$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')}
python3 -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "GPU", torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)' | tee "$out/torch.txt"
export LD_LIBRARY_PATH="$torch_lib:${LD_LIBRARY_PATH:-}"
gmn="$work/gmn/gmn"

echo "== plan A: TorchSharp's libLibTorchSharp.so against $torch_lib" | tee "$out/route.txt"
if ! "$gmn" selfcheck --device "$device" 2>&1 | tee "$out/selfcheck.txt"; then
  [ -f .carry/torchsharp-native.tar.xz ] || { echo "plan A failed and .carry/torchsharp-native.tar.xz is missing for plan B" | tee -a "$out/route.txt"; exit 1; }
  echo "== plan B: building libLibTorchSharp.so from TorchSharp's sources against this torch" | tee -a "$out/route.txt"
  mkdir -p "$work/native"
  tar -C "$work/native" -xJf .carry/torchsharp-native.tar.xz
  echo 'static char sccsid[] __attribute__((used)) = "@(#)built by GmnGen scripts/cuda/run-on-gpu.sh";' > "$work/version.c"
  prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
  cmake -S "$work/native/src/Native" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DLIBTORCH_PATH="$prefix/Torch" -DCMAKE_PREFIX_PATH="$prefix" -DVERSION_FILE_PATH="$work/version.c" > "$out/cmake.txt" 2>&1 \
    && cmake --build "$work/build" -j"$(nproc)" >> "$out/cmake.txt" 2>&1 \
    || { tail -n 40 "$out/cmake.txt"; exit 1; }
  cp "$(find "$work/build" -name libLibTorchSharp.so | head -n 1)" "$work/gmn/"
  "$gmn" selfcheck --device "$device" 2>&1 | tee "$out/selfcheck.txt" || exit 1
fi
# shellcheck disable=SC2086
"$gmn" bench --device "$device" ${GMN_BENCH_ARGS:-} --out "$out/bench.md" 2>&1 | tee "$out/bench.txt"
