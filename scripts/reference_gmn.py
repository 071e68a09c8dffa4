#!/usr/bin/env python3
"""Times a plain-PyTorch re-implementation of the official GMN metanet on this CPU.

What it is: the computation of the graph metanetwork of Lim et al., "Graph Metanetworks for
Processing Diverse Neural Architectures" (ICLR 2024; official code cptq/graph_metanetworks, its
EdgeMPNN-style blocks), written again here in plain PyTorch the way the official code computes it:
explicit per-edge concatenations [x_src, x_dst, e] fed to MLPs, a per-edge message MLP, and
scatter-mean aggregation. It is NOT the official code and is meant for timing only (the targets are
random): PyTorch Geometric, which the official code needs, is not installed here, so its scatter and
batching are done with index_select / index_add_ and explicit offsets. `gmn bench` (the C# benchmark,
its stage (f); `--no-reference` skips it) runs it to put GmnGen's throughput beside the official formulation's.

Run (Debian's python3-torch, OpenBLAS):
    /usr/bin/python3 scripts/reference_gmn.py --network ZooCnn --hidden 64 --batch 32 \
        --steps 3 --warmup 1 --threads 2 [--inference-batch 256] [--max-seconds 120]

Prints exactly one line of JSON on stdout (batch totals of edges and nodes, parameter count, the
time of every timed training step, their median, graphs per second, the inference time when asked
for, the torch version, the BLAS library loaded and the peak RSS); progress goes to stderr. Exit
code 2 on any error (torch not importable, bad arguments, a graph of the wrong size).
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time
import traceback
from typing import NamedTuple

PROG = "reference_gmn.py"

# Node and edge types of the parameter graph (the official layout, restricted to what the two
# benchmark CNNs use).
NODE_INPUT, NODE_HIDDEN, NODE_OUTPUT, NODE_BIAS = 0, 1, 2, 3
NODE_TYPES = 4
EDGE_CONV_WEIGHT, EDGE_LINEAR_WEIGHT, EDGE_BIAS = 0, 1, 2
EDGE_TYPES = 3


class Layer(NamedTuple):
    """A layer with parameters. Parameter-free modules (ReLU, global average pooling, flatten) add
    nothing to the graph: after global pooling a Linear layer reads the last conv's channel nodes."""
    kind: str  # "conv" (2D, square kernel) or "linear"
    inputs: int
    outputs: int
    kernel: int = 1
    stride: int = 1


# The benchmark networks (28 x 28 x 1 inputs) and the sizes the C# side's graphs have.
NETWORKS = {
    "ZooCnn": [Layer("conv", 1, 16, 3, 2), Layer("conv", 16, 16, 3, 2), Layer("conv", 16, 16, 3, 2),
               Layer("linear", 16, 10)],
    "WideCnn": [Layer("conv", 1, 24, 3, 2), Layer("conv", 24, 24, 3, 2), Layer("conv", 24, 24, 3, 2),
                Layer("linear", 24, 24), Layer("linear", 24, 10)],
}
EXPECTED_SIZES = {"ZooCnn": (63, 4970), "WideCnn": (112, 11506)}  # (nodes, edges) of one graph


def fail(message, code=2):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(code)


def log(message):
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", choices=sorted(NETWORKS), default="ZooCnn")
    parser.add_argument("--hidden", type=int, default=64, help="width h of node and edge states (default 64)")
    parser.add_argument("--blocks", type=int, default=4, help="message-passing blocks (default 4)")
    parser.add_argument("--scalar-width", type=int, default=16,
                        help="width d of each scalar feature's sin(Linear(1->d)) code (default 16, as GmnGen)")
    parser.add_argument("--batch", type=int, default=32, help="graphs per training step (default 32)")
    parser.add_argument("--steps", type=int, default=3, help="timed training steps (default 3)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed training steps first (default 1)")
    parser.add_argument("--threads", type=int, default=2, help="PyTorch and BLAS threads (default 2)")
    parser.add_argument("--inference-batch", type=int, default=0,
                        help="also time one no-grad forward pass over this many graphs (default 0: skip)")
    parser.add_argument("--max-seconds", type=float, default=0.0,
                        help="start no further timed step once this many seconds have passed since the "
                             "first warm-up step (at least one timed step runs; default 0: no limit)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu", help="cpu or cuda: where the metanet and batches live (default cpu)")
    args = parser.parse_args(argv)
    for name in ("hidden", "blocks", "scalar_width", "batch", "steps", "threads"):
        if getattr(args, name) < (0 if name == "blocks" else 1):
            parser.error(f"--{name.replace('_', '-')} is too small: {getattr(args, name)}")
    for name in ("warmup", "inference_batch", "max_seconds"):
        if getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must not be negative")
    return args


class GraphSpec(NamedTuple):
    """One parameter graph as plain lists (the values come separately, see parameter_values)."""
    node_layer: list
    node_order: list
    node_type: list
    source: list
    target: list
    edge_layer: list
    edge_type: list
    edge_position: list  # (pos0, pos1, pos2) per edge, -1 where unused


def build_graph(layers):
    """The official layout: one node per input channel, per hidden channel/neuron and per output
    neuron, one bias node per layer; one edge per parameter in the order of the parameters
    flattened row-major (a layer's weight, out-major, then its bias). Node layer index: 0 for the
    inputs, k + 1 for the outputs of parametric layer k, k for layer k's bias node; order: the
    index of input and output neurons, -1 for hidden and bias nodes."""
    g = GraphSpec([], [], [], [], [], [], [], [])

    def add_nodes(count, layer, kind, ordered):
        first = len(g.node_layer)
        for i in range(count):
            g.node_layer.append(layer)
            g.node_order.append(i if ordered else -1)
            g.node_type.append(kind)
        return list(range(first, first + count))

    def add_edge(source, target, layer, kind, position=(-1, -1, -1)):
        g.source.append(source)
        g.target.append(target)
        g.edge_layer.append(layer)
        g.edge_type.append(kind)
        g.edge_position.append(position)

    inputs = add_nodes(layers[0].inputs, 0, NODE_INPUT, True)
    for k, layer in enumerate(layers):
        if layer.inputs != len(inputs):
            raise ValueError(f"layer {k} reads {layer.inputs} features but gets {len(inputs)}")
        last = k == len(layers) - 1
        outputs = add_nodes(layer.outputs, k + 1, NODE_OUTPUT if last else NODE_HIDDEN, last)
        for o in outputs:  # W[o, i, ky, kx] / W[o, i] in row-major order
            for i in inputs:
                if layer.kind == "conv":
                    for ky in range(layer.kernel):
                        for kx in range(layer.kernel):
                            add_edge(i, o, k, EDGE_CONV_WEIGHT, (ky, kx, -1))
                else:
                    add_edge(i, o, k, EDGE_LINEAR_WEIGHT)
        bias = add_nodes(1, k, NODE_BIAS, False)[0]
        for o in outputs:
            add_edge(bias, o, k, EDGE_BIAS)
        inputs = outputs
    return g


def check_sizes(network, graph):
    nodes, edges = len(graph.node_layer), len(graph.source)
    if (nodes, edges) != EXPECTED_SIZES[network]:
        raise RuntimeError(f"{network}: graph has {nodes} nodes and {edges} edges, expected "
                           f"{EXPECTED_SIZES[network][0]} and {EXPECTED_SIZES[network][1]}")


def parameter_count(layers):
    return sum(l.outputs * l.inputs * (l.kernel ** 2 if l.kind == "conv" else 1) + l.outputs for l in layers)


# Thread counts must be in the environment before torch (and its BLAS) is loaded: OpenBLAS's own
# thread pool is sized at load time and torch.set_num_threads does not resize it.
if __name__ == "__main__":
    ARGS = parse_args()
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(ARGS.threads)

try:
    import torch
    from torch import nn
    from torch.nn import functional as F
except (ImportError, OSError) as error:  # OSError: a native library of torch failed to load
    if __name__ != "__main__":
        raise
    fail(f"cannot import PyTorch ({error}); install Debian's python3-torch and libopenblas0 and run "
         f"with /usr/bin/python3")


# ----------------------------------------------------------------------------------------------
# Batching (what PyG's Batch.from_data_list does): concatenate, shift edge indices by node offsets.

class GraphBatch(NamedTuple):
    node_scalars: "torch.Tensor"  # [N, 2] float: layer index, order
    node_types: "torch.Tensor"    # [N] long
    edge_scalars: "torch.Tensor"  # [E, 5] float: weight value, layer index, pos0, pos1, pos2
    edge_types: "torch.Tensor"    # [E] long
    edge_index: "torch.Tensor"    # [2, E] long: source, target
    edge_graph: "torch.Tensor"    # [E] long: graph of each edge
    node_graph: "torch.Tensor"    # [N] long
    graphs: int


def make_cnn(layers):
    """A freshly initialised torch module of the network, only for its parameter values."""
    modules = []
    for k, layer in enumerate(layers):
        if layer.kind == "conv":
            modules += [nn.Conv2d(layer.inputs, layer.outputs, layer.kernel, stride=layer.stride), nn.ReLU()]
            if k + 1 < len(layers) and layers[k + 1].kind == "linear":
                modules += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        else:
            modules.append(nn.Linear(layer.inputs, layer.outputs))
            if k + 1 < len(layers):
                modules.append(nn.ReLU())
    return nn.Sequential(*modules)


def parameter_values(layers):
    with torch.no_grad():
        return torch.cat([p.reshape(-1) for p in make_cnn(layers).parameters()])


def collate(layers, graph, count):
    """`count` copies of the graph's structure, each with the weights of a different random network."""
    n, e = len(graph.node_layer), len(graph.source)
    node_scalars = torch.tensor([graph.node_layer, graph.node_order], dtype=torch.float32).t()
    edge_static = torch.cat([torch.tensor(graph.edge_layer, dtype=torch.float32).unsqueeze(1),
                             torch.tensor(graph.edge_position, dtype=torch.float32)], 1)
    values = torch.stack([parameter_values(layers) for _ in range(count)])  # [count, e]
    if values.shape[1] != e:
        raise RuntimeError(f"the network has {values.shape[1]} parameters but its graph {e} edges")
    edge_index = torch.tensor([graph.source, graph.target], dtype=torch.long)
    offsets = (torch.arange(count) * n).repeat_interleave(e)
    return GraphBatch(
        node_scalars=node_scalars.repeat(count, 1).contiguous(),
        node_types=torch.tensor(graph.node_type, dtype=torch.long).repeat(count),
        edge_scalars=torch.cat([values.reshape(-1, 1), edge_static.repeat(count, 1)], 1).contiguous(),
        edge_types=torch.tensor(graph.edge_type, dtype=torch.long).repeat(count),
        edge_index=(edge_index.repeat(1, count) + offsets).contiguous(),
        edge_graph=torch.arange(count).repeat_interleave(e),
        node_graph=torch.arange(count).repeat_interleave(n),
        graphs=count)


def to_device(batch, device):
    """The batch with every tensor on `device`."""
    return batch._replace(**{k: v.to(device) for k, v in batch._asdict().items() if torch.is_tensor(v)})


def synchronize(device):
    """CUDA runs asynchronously: wait for the queued kernels before reading the clock."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def scatter_mean(values, index, size):
    """Mean of the rows of `values` with the same index (rows of no index get 0), as PyG's
    scatter(..., reduce="mean"): a sum by index_add_ divided by a count made the same way."""
    total = values.new_zeros(size, values.shape[1]).index_add_(0, index, values)
    count = values.new_zeros(size).index_add_(0, index, values.new_ones(index.shape[0]))
    return total / count.clamp_(min=1).unsqueeze(1)


# ----------------------------------------------------------------------------------------------
# The metanet.

def mlp(inputs, hidden, outputs):
    return nn.Sequential(nn.Linear(inputs, hidden), nn.SiLU(), nn.Linear(hidden, outputs))


class SinEncoders(nn.Module):
    """Each scalar feature through its own sin(Linear(1 -> width)); the codes concatenated."""

    def __init__(self, features, width):
        super().__init__()
        self.encoders = nn.ModuleList(nn.Linear(1, width) for _ in range(features))

    def forward(self, scalars):
        return torch.cat([torch.sin(encoder(scalars[:, j:j + 1])) for j, encoder in enumerate(self.encoders)], 1)


class FeatureEncoder(nn.Module):
    """[sin codes of the scalar features, type embedding] -> Linear to h."""

    def __init__(self, scalars, types, width, hidden):
        super().__init__()
        self.scalars = SinEncoders(scalars, width)
        self.types = nn.Embedding(types, width)
        self.project = nn.Linear((scalars + 1) * width, hidden)

    def forward(self, scalars, types):
        return self.project(torch.cat([self.scalars(scalars), self.types(types)], 1))


class EdgeMPNNBlock(nn.Module):
    """Pre-LayerNorm residual block:
        e' = MLP([x_src, x_dst, e]);  m = MLP([x_src, e']);  agg = mean of m at the target;
        x' = MLP([x, agg]);  x += Linear(SiLU(x'));  e += Linear(SiLU(e'))
    (the residual Linears start at zero, so each block starts as the identity)."""

    def __init__(self, hidden):
        super().__init__()
        self.node_norm = nn.LayerNorm(hidden)
        self.edge_norm = nn.LayerNorm(hidden)
        self.edge_mlp = mlp(3 * hidden, hidden, hidden)
        self.message_mlp = mlp(2 * hidden, hidden, hidden)
        self.node_mlp = mlp(2 * hidden, hidden, hidden)
        self.node_residual = nn.Linear(hidden, hidden)
        self.edge_residual = nn.Linear(hidden, hidden)
        for linear in (self.node_residual, self.edge_residual):
            nn.init.zeros_(linear.weight)
            nn.init.zeros_(linear.bias)

    def forward(self, x, e, edge_index):
        source, target = edge_index
        x_norm, e_norm = self.node_norm(x), self.edge_norm(e)
        x_source = x_norm.index_select(0, source)
        x_target = x_norm.index_select(0, target)
        e_new = self.edge_mlp(torch.cat([x_source, x_target, e_norm], 1))
        messages = self.message_mlp(torch.cat([x_source, e_new], 1))
        aggregated = scatter_mean(messages, target, x.shape[0])
        x_new = self.node_mlp(torch.cat([x_norm, aggregated], 1))
        return x + self.node_residual(F.silu(x_new)), e + self.edge_residual(F.silu(e_new))


class ReferenceGmn(nn.Module):
    def __init__(self, hidden, blocks, width):
        super().__init__()
        self.node_encoder = FeatureEncoder(2, NODE_TYPES, width, hidden)  # layer, order; node type
        self.edge_encoder = FeatureEncoder(5, EDGE_TYPES, width, hidden)  # value, layer, pos0-2; edge type
        self.blocks = nn.ModuleList(EdgeMPNNBlock(hidden) for _ in range(blocks))
        self.readout = mlp(hidden, hidden, 1)

    def forward(self, batch):
        x = self.node_encoder(batch.node_scalars, batch.node_types)
        e = self.edge_encoder(batch.edge_scalars, batch.edge_types)
        for block in self.blocks:
            x, e = block(x, e, batch.edge_index)
        return self.readout(scatter_mean(e, batch.edge_graph, batch.graphs)).squeeze(1)  # logits


# ----------------------------------------------------------------------------------------------
# Timing.

def loaded_blas():
    """The BLAS shared library this process loaded (reference BLAS would make the timings meaningless)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.rsplit("/", 1)[-1]}
    except OSError:
        return "unknown"
    return ",".join(sorted(os.path.realpath(p) for p in paths)) or "unknown"


def run(args):
    blas = loaded_blas()
    if not any(name in blas for name in ("openblas", "mkl", "blis")):
        # Debian's libblas3 alone is netlib's reference BLAS: on one machine it made this script 12x
        # slower than with OpenBLAS, which would inflate every ratio against it.
        fail(f"PyTorch multiplies with {blas}, not an optimised BLAS, so the timings would mean nothing; "
             "install libopenblas0 (apt-get install -y --no-install-recommends libopenblas0)")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    layers = NETWORKS[args.network]
    graph = build_graph(layers)
    check_sizes(args.network, graph)
    if parameter_count(layers) != len(graph.source):
        raise RuntimeError("parameter count and edge count differ")
    with torch.no_grad():  # the architecture must be valid for 28 x 28 x 1 inputs
        if make_cnn(layers)(torch.zeros(1, 1, 28, 28)).shape != (1, layers[-1].outputs):
            raise RuntimeError(f"{args.network} does not map 28x28x1 inputs to {layers[-1].outputs} outputs")

    device = torch.device(args.device)
    batch = to_device(collate(layers, graph, args.batch), device)
    targets = torch.rand(args.batch).to(device)
    model = ReferenceGmn(args.hidden, args.blocks, args.scalar_width).to(device)
    parameters = sum(p.numel() for p in model.parameters())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = nn.BCEWithLogitsLoss()
    log(f"{args.network}: {batch.graphs} graphs, {batch.edge_index.shape[1]} edges, "
        f"{batch.node_types.shape[0]} nodes; metanet h={args.hidden}, {parameters} parameters; "
        f"{args.threads} thread(s), device {device}")

    def train_step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_function(model(batch), targets)
        loss.backward()
        optimizer.step()
        return loss.item()

    model.train()
    started = time.perf_counter()
    for i in range(args.warmup):
        t0 = time.perf_counter()
        loss = train_step()
        log(f"warm-up step {i + 1}/{args.warmup}: {time.perf_counter() - t0:.3f} s, loss {loss:.4f}")
    step_seconds = []
    for i in range(args.steps):
        if step_seconds and args.max_seconds and time.perf_counter() - started > args.max_seconds:
            log(f"stopping after {len(step_seconds)} timed step(s): --max-seconds {args.max_seconds:g} passed")
            break
        t0 = time.perf_counter()
        loss = train_step()
        step_seconds.append(time.perf_counter() - t0)
        log(f"step {i + 1}/{args.steps}: {step_seconds[-1]:.3f} s, loss {loss:.4f}")
    median = statistics.median(step_seconds)

    result = {
        "network": args.network, "hidden": args.hidden, "blocks": args.blocks, "scalar_width": args.scalar_width,
        "batch": args.batch, "edges": int(batch.edge_index.shape[1]), "nodes": int(batch.node_types.shape[0]),
        "edges_per_graph": len(graph.source), "nodes_per_graph": len(graph.node_layer),
        "parameters": parameters, "threads": args.threads, "warmup": args.warmup, "device": str(device),
        "steps": len(step_seconds), "steps_requested": args.steps,
        "step_seconds": [round(s, 4) for s in step_seconds], "median_step_seconds": round(median, 4),
        "graphs_per_second": round(args.batch / median, 3), "final_loss": round(loss, 5),
        "inference_batch": args.inference_batch, "inference_seconds": None, "inference_warm": None,
        "inference_graphs_per_second": None,
    }
    del batch, optimizer  # free the training batch before the (larger) inference batch

    if args.inference_batch:
        inference = to_device(collate(layers, graph, args.inference_batch), device)
        model.eval()
        with torch.no_grad():
            t0 = time.perf_counter()
            model(inference)
            synchronize(device)
            seconds, warm = time.perf_counter() - t0, False
            log(f"inference over {args.inference_batch} graphs, first pass: {seconds:.3f} s")
            if seconds <= 8.0:
                t0 = time.perf_counter()
                model(inference)
                synchronize(device)
                seconds, warm = time.perf_counter() - t0, True
                log(f"inference, warm pass: {seconds:.3f} s")
        result.update(inference_seconds=round(seconds, 4), inference_warm=warm,
                      inference_graphs_per_second=round(args.inference_batch / seconds, 3))

    result.update(torch=str(torch.__version__), blas=loaded_blas(),
                  peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    return result


def main():
    try:
        result = run(ARGS)
    except Exception as error:  # noqa: BLE001 - every failure is reported the same way
        traceback.print_exc(file=sys.stderr)
        fail(f"{type(error).__name__}: {error}")
    print(json.dumps(result, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
