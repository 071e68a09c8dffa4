#!/usr/bin/env python3
"""Writes src/GmnGen.Tasks/Zoo/Architectures/ZooArchitectures.cs: the [Network] declarations of every
zoo architecture plus the catalogue that lists them.

Zoo members must be declared at compile time (the generator makes their modules, graphs and
symmetries), so the architecture grid lives in a committed, generated C# file. Edit this script and
run it again (`python3 scripts/make-zoo-architectures.py`); a test fails if the file is stale.

Families (as in Lim et al. 2024, section 5):
  varying CNNs  full grid over width x depth x kernel x norm; activation and dropout vary along the grid
  diverse       MLPs, 1D CNNs over image rows, 2D CNNs (a subset of the varying CNNs), ResNets with
                BatchNorm and identity blocks, small ViTs, and DeepSets over image columns
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


def resnet_grid():
    for i, (width, blocks) in enumerate(itertools.product([8, 12, 16], [1, 2])):
        yield dict(kind="resnet", width=width, depth=blocks, kernel=3, norm="bn", activation="ReLU",
                   dropout=0.0, families="Diverse")


def vit_grid():
    for i, (width, blocks) in enumerate(itertools.product([8, 16], [1, 2])):
        yield dict(kind="vit", width=width, depth=blocks, kernel=7, norm="ln", activation="GELU",
                   dropout=0.0, families="Diverse")


def deepsets_grid():
    for i, (width, depth) in enumerate(itertools.product([8, 16, 32], [1, 2])):
        yield dict(kind="deepsets", width=width, depth=depth, kernel=0, norm="none", activation=ACTIVATIONS[i % 3],
                   dropout=0.0, families="Diverse")


def name(a):
    parts = [a["kind"].capitalize(), f"w{a['width']}", f"d{a['depth']}"]
    if a["kind"] in ("cnn", "rows"):
        parts.append(f"k{a['kernel']}")
    if a["norm"] not in ("none", "ln") and a["kind"] != "resnet":
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
    elif a["kind"] == "resnet":
        shape, summary = "[1, 28, 28]", f"a stride-2 stem of width {w} and {a['depth']} identity BasicBlocks"
        lines.append(f"[Conv2d({w}, Kernel = 3, Stride = 2, Padding = 1, Bias = false)] public partial Conv2d Stem {{ get; }}")
        lines.append(f"[BatchNorm2d, ReLU] public partial BatchNorm2d StemNorm {{ get; }}")
        for b in range(1, a["depth"] + 1):
            lines.append(f"[Conv2d({w}, Kernel = 3, Padding = 1, Bias = false)] public partial Conv2d Block{b}Conv1 {{ get; }}")
            lines.append(f"[BatchNorm2d, ReLU] public partial BatchNorm2d Block{b}Norm1 {{ get; }}")
            lines.append(f"[Conv2d({w}, Kernel = 3, Padding = 1, Bias = false)] public partial Conv2d Block{b}Conv2 {{ get; }}")
            lines.append(f"[BatchNorm2d, Residual(nameof(Block{b}Conv1)), ReLU] public partial BatchNorm2d Block{b}Norm2 {{ get; }}")
        lines.append(f"[GlobalAvgPool, Linear(10)] public partial Linear Head {{ get; }}")
    elif a["kind"] == "vit":
        heads = 2
        shape, summary = "[1, 28, 28]", f"7x7 patches embedded to width {w}, {a['depth']} pre-norm transformer blocks with {heads} heads"
        lines.append(f"[PatchEmbed({w}, Patch = 7)] public partial Conv2d Patches {{ get; }}")
        lines.append(f"[PositionalEmbedding(Length = 16)] public partial GmnGen.Modules.PositionalEmbedding Positions {{ get; }}")
        for b in range(1, a["depth"] + 1):
            lines.append(f"[LayerNorm] public partial LayerNorm Block{b}Norm1 {{ get; }}")
            lines.append(f"[SelfAttention({heads}), Residual(nameof(Block{b}Norm1))] public partial GmnGen.Modules.SelfAttention Block{b}Attention {{ get; }}")
            lines.append(f"[LayerNorm] public partial LayerNorm Block{b}Norm2 {{ get; }}")
            lines.append(f"[Conv1d({2 * w}, Kernel = 1), GELU] public partial Conv1d Block{b}Mlp1 {{ get; }}")
            lines.append(f"[Conv1d({w}, Kernel = 1), Residual(nameof(Block{b}Norm2))] public partial Conv1d Block{b}Mlp2 {{ get; }}")
        lines.append(f"[LayerNorm, GlobalAvgPool] public partial LayerNorm FinalNorm {{ get; }}")
        lines.append(f"[Linear(10)] public partial Linear Head {{ get; }}")
    elif a["kind"] == "deepsets":
        shape, summary = "[28, 28]", f"{a['depth']} permutation-equivariant layers of width {w} over the 28 image columns"
        for layer in range(1, a["depth"] + 1):
            lines.append(f"[DeepSets({w}), {act}] public partial GmnGen.Modules.DeepSets Set{layer} {{ get; }}")
        lines.append(f"[GlobalAvgPool, Linear(10)] public partial Linear Head {{ get; }}")
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
    archs = (list(cnn_grid()) + list(mlp_grid()) + list(rows_grid()) + list(resnet_grid()) + list(vit_grid())
             + list(deepsets_grid()))
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
