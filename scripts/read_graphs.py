#!/usr/bin/env python3
"""Reads a file of parameter graphs written by `gmn graphs` or `gmn inspect --graph` into one
PyTorch Geometric Data per graph (plain dicts when torch_geometric is not installed).

  python3 scripts/read_graphs.py graphs.safetensors      prints a summary of the first graphs
"""
import json
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "I64": torch.int64}


def read_graphs(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data, meta = raw[8 + n:], header.pop("__metadata__", {})
    t = {k: torch.frombuffer(bytearray(data[v["data_offsets"][0]:v["data_offsets"][1]]), dtype=DTYPES[v["dtype"]]).reshape(v["shape"])
         for k, v in header.items()}
    names = json.loads(meta.get("names", "null")) or [None] * (len(t["node_ptr"]) - 1)
    try:
        from torch_geometric.data import Data
    except ImportError:
        Data = dict
    graphs = []
    for g in range(len(t["node_ptr"]) - 1):
        n0, n1, e0, e1 = t["node_ptr"][g], t["node_ptr"][g + 1], t["edge_ptr"][g], t["edge_ptr"][g + 1]
        fields = dict(x=t["x"][n0:n1], edge_index=t["edge_index"][:, e0:e1], edge_attr=t["edge_attr"][e0:e1], name=names[g])
        if "y" in t:
            fields["y"] = t["y"][g:g + 1]
        graphs.append(Data(**fields))
    return graphs, meta


if __name__ == "__main__":
    graphs, meta = read_graphs(sys.argv[1])
    print(f"{len(graphs)} graphs, numbering: {meta.get('numbering')}")
    for g in graphs[:3]:
        y = g["y"].item() if "y" in g else float("nan")
        print(f"  {g['name']}: {g['x'].shape[0]} nodes, {g['edge_index'].shape[1]} edges, y = {y:.4f}, "
              f"edge index within [0, {g['x'].shape[0]}): {bool((g['edge_index'] >= 0).all() and (g['edge_index'] < g['x'].shape[0]).all())}")
