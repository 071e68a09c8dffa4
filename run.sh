#!/usr/bin/env bash
# The main job, small default (about 10 minutes on 2 cores): restores and builds, makes sure
# Fashion-MNIST is installed, trains a zoo of small CNNs (runs/zoo), then trains the GMN and the
# StatNN and DeepSets baselines to predict each checkpoint's test accuracy from its weights and
# writes runs/report (report.md, CSVs, plots). Both steps resume where they stopped.
# Settings: GMN_ZOO_RUNS (default 120 runs = 360 checkpoints), GMN_FAMILY (cnn | diverse | all),
# GMN_SEEDS (2), GMN_EPOCHS (20). Larger runs: see docs/results.md.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
log=$(mktemp)
echo "Building src/GmnGen.Cli (Release)..."
dotnet build src/GmnGen.Cli -c Release -v quiet -nologo > "$log" 2>&1 || { cat "$log"; rm -f "$log"; exit 1; }
rm -f "$log"
family=${GMN_FAMILY:-cnn}
gmn() { dotnet src/GmnGen.Cli/bin/Release/net10.0/gmn.dll "$@"; }
gmn zoo --out "runs/zoo-$family" --family "$family" --runs "${GMN_ZOO_RUNS:-120}"
gmn experiment --zoo "runs/zoo-$family" --out "runs/report-$family" --seeds "${GMN_SEEDS:-2}" --epochs "${GMN_EPOCHS:-20}"
