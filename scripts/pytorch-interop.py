#!/usr/bin/env python3
"""PyTorch side of GmnGen's safetensors interop, with Debian's python3-torch and nothing else
(safetensors parsed and written with json and struct, as the format allows).

  write DIR   writes the fixtures the test suite reads (tests/GmnGen.Tests/Fixtures/PyTorch):
              a tensor of every dtype PyTorch stores, and two nn.Sequential networks (GmnGen's
              ZooCnn and BatchNormCnn, layer for layer) with their state dicts, an input and the
              eval-mode output PyTorch computes for it
  read FILE   reads a file GmnGen wrote and prints every tensor's name, dtype, shape and sum
"""
import json
import struct
import sys

import torch
import torch.nn as nn

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
          "U8": torch.uint8, "BOOL": torch.bool}
NAMES = {v: k for k, v in DTYPES.items()}


def save(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        t = t.detach().contiguous()
        flat = t.reshape(-1)   # a 0-d tensor (num_batches_tracked) cannot be viewed as bytes
        raw = (flat.to(torch.uint8) if t.dtype == torch.bool else flat.view(torch.uint8)).numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def load(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, v in header.items():
        if name == "__metadata__":
            continue
        a, b = v["data_offsets"]
        dtype = DTYPES[v["dtype"]]
        buf = bytearray(data[a:b])
        t = torch.frombuffer(buf, dtype=torch.uint8) if b > a else torch.zeros(0, dtype=torch.uint8)
        t = t.to(torch.bool) if dtype == torch.bool else t.view(dtype)
        out[name] = t.reshape(v["shape"])
    return out


def zoo_cnn():   # GmnGen.Tests.Networks.ZooCnn
    return nn.Sequential(nn.Conv2d(1, 16, 3, 2), nn.ReLU(), nn.Conv2d(16, 16, 3, 2), nn.ReLU(), nn.Conv2d(16, 16, 3, 2), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))


def batch_norm_cnn():   # GmnGen.Tests.Networks.BatchNormCnn
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 12, 3, stride=2), nn.BatchNorm2d(12), nn.SiLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(12, 10))


def write(folder):
    torch.manual_seed(13)
    values = torch.arange(-3, 3)
    save(f"{folder}/dtypes.safetensors", {name: (values.to(dtype) if dtype != torch.bool else values > 0) for name, dtype in DTYPES.items()},
         {"written by": f"python3-torch {torch.__version__}"})
    for name, make in [("zoo-cnn", zoo_cnn), ("batch-norm-cnn", batch_norm_cnn)]:
        net = make()
        with torch.no_grad():
            for m in net:
                if isinstance(m, nn.BatchNorm2d):
                    m.running_mean.uniform_(-1, 1)
                    m.running_var.uniform_(0.5, 2)
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.5, 0.5)
                    m.num_batches_tracked.fill_(7)
        net.eval()
        x = torch.randn(3, 1, 28, 28)
        with torch.no_grad():
            y = net(x)
        save(f"{folder}/{name}.safetensors", dict(net.state_dict()), {"written by": f"python3-torch {torch.__version__}"})
        save(f"{folder}/{name}.io.safetensors", {"input": x, "output": y})


def read(path):
    for name, t in load(path).items():
        print(f"{name}\t{str(t.dtype).replace('torch.', '')}\t{list(t.shape)}\t{t.double().sum().item():.6g}")


if __name__ == "__main__":
    {"write": write, "read": read}[sys.argv[1]](sys.argv[2])
