#!/usr/bin/env python3
"""Paired differences between methods of two `gmn experiment` runs on the same zoo and seeds.

    scripts/paired_runs.py runs/probes/results.csv:GMN+probes runs/curve/results.csv:GMN [--split random]

Prints, per split both runs have, candidate − baseline on R² and Kendall tau, mean ± sample std over
the common seeds, and whether the mean exceeds twice its standard error (the report's rule). Only
meaningful when the two runs drew the same splits: same zoo, same seeds (check that a method both
ran, e.g. StatNN, has equal scores in both files).
"""
import argparse
import csv
import statistics


def scores(spec):
    path, method = spec.rsplit(":", 1)
    rows = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["method"] == method:
                rows[(r["split"], int(r["seed"]))] = (float(r["r2"]), float(r["kendall_tau"]))
    if not rows:
        raise SystemExit(f"{path}: no rows of method '{method}'")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("candidate", help="results.csv:Method")
    parser.add_argument("baseline", help="results.csv:Method")
    parser.add_argument("--split", help="only this split")
    args = parser.parse_args()
    a, b = scores(args.candidate), scores(args.baseline)
    splits = sorted({s for s, _ in a} & {s for s, _ in b})
    for split in [s for s in splits if args.split in (None, s)]:
        seeds = sorted(seed for s, seed in a if s == split and (s, seed) in b)
        parts = []
        for k, name in ((0, "ΔR²"), (1, "Δτ")):
            d = [a[(split, s)][k] - b[(split, s)][k] for s in seeds]
            mean = statistics.mean(d)
            if len(d) < 2:
                parts.append(f"{name} {mean:+.3f} (one seed)")
                continue
            std = statistics.stdev(d)
            se = std / len(d) ** 0.5
            reading = "ahead" if mean > 2 * se else "behind" if mean < -2 * se else "level"
            parts.append(f"{name} {mean:+.3f} ± {std:.3f} ({reading})")
        print(f"{split} ({len(seeds)} seeds): " + "; ".join(parts))


if __name__ == "__main__":
    main()
