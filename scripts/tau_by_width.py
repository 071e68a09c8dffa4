#!/usr/bin/env python3
"""Kendall tau of every method and seed of a `gmn experiment` run, per width of the tested networks.

    scripts/tau_by_width.py runs/report-cnn/predictions.csv runs/zoo-cnn [--split ood-width]

Reads the run's predictions.csv and the zoo's manifest*.csv files (for each checkpoint's width) and
prints tau-b on all test checkpoints of the split and on those of each width alone: out of
distribution, it shows whether a method's ranking degrades with the distance from the training widths.
"""
import argparse
import collections
import csv
import glob
import os


def kendall_tau_b(x, y):
    concordant = discordant = ties_x = ties_y = 0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            a = (x[i] > x[j]) - (x[i] < x[j])
            b = (y[i] > y[j]) - (y[i] < y[j])
            if a == 0 and b == 0:
                continue
            if a == 0:
                ties_x += 1
            elif b == 0:
                ties_y += 1
            elif a == b:
                concordant += 1
            else:
                discordant += 1
    denominator = ((concordant + discordant + ties_x) * (concordant + discordant + ties_y)) ** 0.5
    return (concordant - discordant) / denominator if denominator else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("predictions", help="predictions.csv of a gmn experiment run")
    parser.add_argument("zoo", help="the zoo folder it ran on")
    parser.add_argument("--split", default="ood-width")
    args = parser.parse_args()
    width = {}
    for path in glob.glob(os.path.join(args.zoo, "manifest*.csv")):
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                width[row["id"]] = int(row["width"])
    groups = collections.defaultdict(list)
    with open(args.predictions, newline="") as f:
        for row in csv.DictReader(f):
            if row["split"] == args.split:
                groups[(row["method"], int(row["seed"]))].append(row)
    if not groups:
        raise SystemExit(f"{args.predictions}: no predictions on split '{args.split}'")
    widths = sorted({width[r["id"]] for rows in groups.values() for r in rows})
    print("method  seed  all  " + "  ".join(f"w{w}" for w in widths))
    for (method, seed), rows in sorted(groups.items()):
        cells = []
        for keep in [None] + widths:
            part = [r for r in rows if keep is None or width[r["id"]] == keep]
            cells.append(f"{kendall_tau_b([float(r['truth']) for r in part], [float(r['predicted']) for r in part]):.3f}")
        print(f"{method} {seed} " + " ".join(cells))


if __name__ == "__main__":
    main()
