#!/usr/bin/env bash
# The main job, small default (about 8 minutes on 2 cores): restores and builds, makes sure
# Fashion-MNIST is installed, trains a zoo of small CNNs (runs/zoo-cnn, two shards side by side),
# then trains the GMN and the StatNN and DeepSets baselines to predict each checkpoint's test
# accuracy from its weights (one process per seed, side by side) and writes runs/report-cnn (report.md, CSVs,
# plots). Both steps resume where they stopped when run again.
# Settings: GMN_FAMILY (cnn | diverse | all), GMN_ZOO_RUNS (120 runs = 360 checkpoints),
# GMN_SEEDS (3: paired differences need at least 2), GMN_EPOCHS (30: 40 scored a little higher on
# validation, docs/results.md, and would take the default to about 9.5 minutes). Larger runs: docs/results.md.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
log=$(mktemp)
echo "Building src/GmnGen.Cli (Release)..."
dotnet build src/GmnGen.Cli -c Release -v quiet -nologo > "$log" 2>&1 || { cat "$log"; rm -f "$log"; exit 1; }
rm -f "$log"
family=${GMN_FAMILY:-cnn}
zoo="runs/zoo-$family"
gmn() { dotnet src/GmnGen.Cli/bin/Release/net10.0/gmn.dll "$@"; }

# One torch thread per process: the zoo's networks are small, and two single-threaded shards use the
# two cores better than one process whose OpenMP threads spin-wait on each other.
zoo_args=(zoo --out "$zoo" --family "$family" --runs "${GMN_ZOO_RUNS:-120}" --threads 1)
echo "Training the zoo in two shards side by side (progress of shard 2 is in $zoo/shard-2.log)..."
mkdir -p "$zoo"
gmn "${zoo_args[@]}" --shard 2/2 > "$zoo/shard-2.log" 2>&1 &
second=$!
gmn "${zoo_args[@]}" --shard 1/2
wait "$second" || { cat "$zoo/shard-2.log"; exit 1; }
tail -n 3 "$zoo/shard-2.log"

# One process per seed, one torch thread each, sharing finished fits through the report's cache;
# the last call finds every fit cached and writes the report.
report="runs/report-$family"
seeds=${GMN_SEEDS:-3}
exp_args=(experiment --zoo "$zoo" --out "$report" --epochs "${GMN_EPOCHS:-30}" --threads 1)
mkdir -p "$report"
pids=()
for ((s = 1; s < seeds; s++)); do
  gmn "${exp_args[@]}" --seeds 1 --first-seed "$s" > "$report/seed-$s.log" 2>&1 &
  pids+=($!)
done
# A seed process that fails (killed, out of memory; the "Unknown scalar type" crashes of earlier
# versions are fixed, docs/native-memory.md) only costs time: the last call fits what is missing.
seed_failed() {
  echo "warning: the experiment process for seed $1 failed; the final call will fit what it left undone. Its last lines:"
  grep -v '^ *at \|^frame' "$report/seed-$1.log" | tail -n 4
}
gmn "${exp_args[@]}" --seeds 1 --first-seed 0 > "$report/seed-0.log" 2>&1 || seed_failed 0
for ((s = 1; s < seeds; s++)); do wait "${pids[s - 1]}" || seed_failed "$s"; done
gmn "${exp_args[@]}" --seeds "$seeds"
