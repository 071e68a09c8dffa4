#!/usr/bin/env python3
"""Writes src/GmnGen.Tasks/Zoo/Architectures/ZooArchitectures.cs: the [Network] declarations of every
zoo architecture plus the catalogue that lists them.

Zoo members must be declared at compile time (the generator makes their modules, graphs and
symmetries), so the architecture grid lives in a committed, generated C# file. Edit this script and
run it again (`python3 scripts/make-zoo-architectures.py`); a test fails if the file is stale.

Families (as in Lim et al. 2024, section 5):
  varying CNNs  full grid over width x depth x kernel x norm; activation and dropout vary along the grid
  diverse       MLPs, 1D CNNs over image rows, and 2D CNNs (a subset of the varying CNNs)
"""
import itertools
import pathlib
import sys

ACTIVATIONS = ["ReLU", "GELU", "Tanh"]
OUT = pathlib.Path(__file__).resolve().parent.parent / "src/GmnGen.Tasks/Zoo/Architectures/ZooArchitectures.cs"


def cnn_grid():
    """Varying CNNs: 3x3 or 5x5 stride-2 convs ("same" padding), optional BatchNorm, global average pool, linear head."""
    grid = itertools.product([4, 6, 8, 12, 16], [2, 3], [3, 5], ["none", "bn"])
    for i, (width, depth, kernel, norm) in enumerate(grid):
        activation = ACTIVATIONS[i % 3]
        dropout = [0.0, 0.2][(i // 3) % 2]
        # 2D CNNs join the diverse family at three widths, both depths and kernels, no norm.
        diverse = width in (4, 8, 16) and norm == "none"
        yield dict(kind="cnn", width=width, depth=depth, kernel=kernel, norm=norm, activation=activation,
                   dropout=dropout, families="VaryingCnn | Diverse" if diverse else "VaryingCnn")


def mlp_grid():
    for i, (width, depth) in enumerate(itertools.product([8, 16, 32], [1, 2])):
        yield dict(kind="mlp", width=width, depth=depth, kernel=0, norm="none", activation=ACTIVATIONS[i % 3],
                   dropout=[0.0, 0.2][i % 2], families="Diverse")


def rows_grid():
    for i, (width, depth) in enumerate(itertools.product([8, 16, 32], [1, 2])):
        yield dict(kind="rows", width=width, depth=depth, kernel=[3, 5][i % 2], norm="none",
                   activation=ACTIVATIONS[(i + 1) % 3], dropout=0.0, families="Diverse")


def name(a):
    parts = [a["kind"].capitalize(), f"w{a['width']}", f"d{a['depth']}"]
    if a["kind"] != "mlp":
        parts.append(f"k{a['kernel']}")
    if a["norm"] != "none":
        parts.append(a["norm"])
    parts.append(a["activation"].lower())
    if a["dropout"]:
        parts.append(f"p{int(a['dropout'] * 10)}")
    return "_".join(parts)


def declaration(a):
    w, k, act = a["width"], a["kernel"], a["activation"]
    drop = f"Dropout(P = {a['dropout']}), " if a["dropout"] else ""
    lines = []
    if a["kind"] == "cnn":
        shape, summary = "[1, 28, 28]", f"{a['depth']} conv layers of width {w}, {k}x{k} kernels, stride 2"
        for layer in range(1, a["depth"] + 1):
            if a["norm"] == "bn":
                lines.append(f"[Conv2d({w}, Kernel = {k}, Stride = 2, Padding = {k // 2})] public partial Conv2d Conv{layer} {{ get; }}")
                lines.append(f"[BatchNorm2d, {act}] public partial BatchNorm2d Norm{layer} {{ get; }}")
            else:
                lines.append(f"[Conv2d({w}, Kernel = {k}, Stride = 2, Padding = {k // 2}), {act}] public partial Conv2d Conv{layer} {{ get; }}")
        lines.append(f"[GlobalAvgPool, {drop}Linear(10)] public partial Linear Head {{ get; }}")
    elif a["kind"] == "rows":
        shape, summary = "[28, 28]", f"{a['depth']} Conv1d layers of width {w} over image rows, kernel {k}, stride 2"
        for layer in range(1, a["depth"] + 1):
            lines.append(f"[Conv1d({w}, Kernel = {k}, Stride = 2, Padding = {k // 2}), {act}] public partial Conv1d Conv{layer} {{ get; }}")
        lines.append(f"[GlobalAvgPool, {drop}Linear(10)] public partial Linear Head {{ get; }}")
    else:
        shape, summary = "[1, 28, 28]", f"{a['depth']} hidden layers of width {w}"
        for layer in range(1, a["depth"] + 1):
            flatten = "Flatten, " if layer == 1 else ""
            lines.append(f"[{flatten}Linear({w}), {act}] public partial Linear Fc{layer} {{ get; }}")
        lines.append(f"[{drop}Linear(10)] public partial Linear Head {{ get; }}")
    body = "\n".join("    " + l for l in lines)
    return (f"/// <summary>{a['kind'].upper()}: {summary}, {a['norm']} norm, {act}, dropout {a['dropout']}.</summary>\n"
            f"[Network(InputShape = {shape})]\n"
            f"public sealed partial class {name(a)}\n{{\n{body}\n}}\n")


def entry(a):
    n = name(a)
    dropout = f"{a['dropout']:.1f}"
    return (f"        new(\"{n}\", ZooFamily.{a['families'].replace(' | ', ' | ZooFamily.')}, \"{a['kind']}\", "
            f"Width: {a['width']}, Depth: {a['depth']}, Kernel: {a['kernel']}, Norm: \"{a['norm']}\", "
            f"Activation: \"{a['activation']}\", Dropout: {dropout}, {n}.InputShape, {n}.GraphLayout, () => new {n}()),")


def render():
    archs = list(cnn_grid()) + list(mlp_grid()) + list(rows_grid())
    head = ("// <auto-generated>\n"
            "// Written by scripts/make-zoo-architectures.py: edit the script and run it again, not this file.\n"
            "// </auto-generated>\n"
            "using GmnGen;\n"
            "using TorchSharp.Modules;\n\n"
            "namespace GmnGen.Tasks.Zoo.Architectures;\n\n")
    catalogue = ("/// <summary>Every architecture a zoo member can have, in a fixed order (plans index into it).</summary>\n"
                 "public static class ZooArchitectures\n{\n"
                 "    /// <summary>All declared zoo architectures.</summary>\n"
                 "    public static global::System.Collections.Generic.IReadOnlyList<ZooArchitecture> All { get; } =\n    [\n"
                 + "\n".join(entry(a) for a in archs) + "\n    ];\n}\n")
    return head + catalogue + "\n" + "\n".join(declaration(a) for a in archs)


if __name__ == "__main__":
    text = render()
    if "--stdout" in sys.argv:
        sys.stdout.write(text)
    else:
        OUT.write_text(text)
        print(f"wrote {OUT}")
