#!/usr/bin/env python3
"""The PyTorch side of test/interop/torch-roundtrip.test.ts.

    torch_roundtrip.py train DIR   trains each case a few Adam steps, saves DIR/<name>.safetensors
                                   and DIR/<name>.json (inputs, outputs, top paths of some inputs)
    torch_roundtrip.py check DIR   loads DIR/<name>.back.safetensors (written by halfspace) and
                                   writes DIR/<name>.back.json (outputs on the same inputs)
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))

import torch  # noqa: E402

import halfspace_torch as hs  # noqa: E402
from generate import paths_field  # noqa: E402

CASES = [
    ("dlgn", {"kind": "dlgn", "inputDim": 2, "widths": [12, 12, 12], "outputDim": 2, "beta": 4}, torch.float64),
    ("dlgn-sf", {"kind": "dlgn", "inputDim": 3, "widths": [8, 8], "outputDim": 2, "features": "sf"}, torch.float64),
    ("dlgn-vt", {"kind": "dlgn-vt", "inputDim": 2, "widths": [4, 5, 3], "outputDim": 2, "beta": 3}, torch.float64),
    ("dgn", {"kind": "dgn", "inputDim": 3, "widths": [6, 5], "outputDim": 2}, torch.float64),
    ("dnn", {"kind": "dnn", "inputDim": 3, "widths": [8, 6], "outputDim": 2}, torch.float64),
    ("dln", {"kind": "dln", "inputDim": 3, "widths": [4], "outputDim": 2}, torch.float64),
    # trained in float32, as most PyTorch runs are; saved as F32
    ("dlgn-f32", {"kind": "dlgn", "inputDim": 2, "widths": [10, 10], "outputDim": 2}, torch.float32),
]


def T(t):
    return {"shape": list(t.shape), "data": t.detach().reshape(-1).tolist()}


def train(out_dir):
    for i, (name, config, dtype) in enumerate(CASES):
        torch.manual_seed(100 + i)
        model = hs.build(config, dtype=dtype)
        x = torch.randn(64, config["inputDim"], dtype=dtype)
        y = torch.randint(0, config["outputDim"], (64,))
        opt = torch.optim.Adam(model.parameters(), lr=0.02)
        losses = []
        for _ in range(10):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            losses.append(loss.item())
            loss.backward()
            opt.step()
        hs.save(model, os.path.join(out_dir, f"{name}.safetensors"), dtype="F64" if dtype == torch.float64 else "F32")
        # the reference numbers: the saved weights evaluated in float64
        ref = model.double()
        xe = torch.randn(16, config["inputDim"], dtype=torch.float64)
        with torch.no_grad():
            out, gates = ref.pass_(xe)
            paths = [paths_field(ref, xe[j:]) for j in range(3)]
        doc = {"config": ref.config, "losses": losses, "x": T(xe), "output": T(out), "gates": [T(g) for g in gates], "paths": paths}
        with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
            json.dump(doc, f)


def check(out_dir):
    for name, _, _ in CASES:
        with open(os.path.join(out_dir, f"{name}.json")) as f:
            doc = json.load(f)
        model = hs.load(os.path.join(out_dir, f"{name}.back.safetensors"))
        x = torch.tensor(doc["x"]["data"], dtype=torch.float64).reshape(doc["x"]["shape"])
        with torch.no_grad():
            out = model(x)
        with open(os.path.join(out_dir, f"{name}.back.json"), "w") as f:
            json.dump({"config": model.config, "output": T(out)}, f)


if __name__ == "__main__":
    {"train": train, "check": check}[sys.argv[1]](sys.argv[2])
