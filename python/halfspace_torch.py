"""halfspace_torch: the reference PyTorch module of halfspace's model families.

Train a network in PyTorch (one GPU, or many with DistributedDataParallel), save it with
`save(model, path)`, and import it into halfspace (`halfspace import model.safetensors --out
model.json`) to read off its paths, half-spaces, regions and kernels exactly. Depends on PyTorch
alone (the safetensors format is written and read here directly: a length, a JSON header, raw
little-endian bytes).

    import halfspace_torch as hs
    model = hs.build({"kind": "dlgn", "inputDim": 2, "widths": [16, 16], "outputDim": 1})
    ...train...
    hs.save(model, "model.safetensors")
    same = hs.load("model.safetensors")

Every family of halfspace is here with exactly halfspace's parameter names and shapes
(`state_dict()` keys):

    dln, dnn        layers.{l}.weight [m_l, m_{l-1}], layers.{l}.bias [m_l], out.weight, out.bias
    dgn, dlgn       gate.{l}.weight, gate.{l}.bias, value.{l}.weight, value.{l}.bias, out.weight, out.bias
    dlgn-vt         gate.{l}.weight, gate.{l}.bias, value [k, m_1, ..., m_L]

Initialisation is halfspace's default scheme ('torch'): every weight and bias of a layer with
fan-in n uniform on (-1/sqrt(n), 1/sqrt(n)), which is what nn.Linear's default reduces to; the
value tensor of dlgn-vt likewise with fan-in P = m_1 * ... * m_L. The distribution is the same;
the numbers are not (PyTorch's generator is not halfspace's), so import weights rather than
re-initialising from a seed.
"""

import json
import math
import os
import struct
import sys

import torch
from torch import nn

__all__ = ["build", "resolve_config", "save", "load", "save_state_dict", "read_safetensors", "canonical_names", "HalfspaceNet"]

KINDS = ("dln", "dnn", "dgn", "dlgn", "dlgn-vt")
FIELDS = ("kind", "inputDim", "widths", "outputDim", "bias", "features", "gate", "beta", "valueInput")
MAX_HEADER_BYTES = 100_000_000


def resolve_config(config):
    """The config with halfspace's defaults filled in, checked as halfspace checks it."""
    if not isinstance(config, dict):
        raise ValueError("model config: expected a dict")
    unknown = [k for k in config if k not in FIELDS]
    if unknown:
        raise ValueError(f"model config: unknown field '{unknown[0]}'")
    kind = config.get("kind")
    if kind not in KINDS:
        raise ValueError(f"model config: kind must be one of {', '.join(KINDS)}, got {kind!r}")

    def pos_int(name, v):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"model config: {name} must be a positive integer, got {v!r}")
        return v

    widths = config.get("widths")
    if not isinstance(widths, (list, tuple)) or len(widths) == 0:
        raise ValueError(f"model config: widths must be a non-empty list of positive integers, got {widths!r}")
    features = config.get("features", "sf" if kind == "dlgn-vt" else "cf")
    if features not in ("cf", "sf") or (kind == "dlgn-vt" and features != "sf"):
        raise ValueError(f"model config: features must be 'cf' or 'sf' ('sf' for dlgn-vt), got {features!r}")
    gate = config.get("gate", "soft")
    if gate not in ("soft", "hard"):
        raise ValueError(f"model config: gate must be 'soft' or 'hard', got {gate!r}")
    beta = config.get("beta", 10)
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not math.isfinite(beta) or beta <= 0:
        raise ValueError(f"model config: beta must be a finite number > 0, got {beta!r}")
    value_input = config.get("valueInput", "input" if kind == "dgn" else "ones")
    if value_input not in ("ones", "input") or (kind == "dlgn-vt" and value_input != "ones"):
        raise ValueError(f"model config: valueInput must be 'ones' or 'input' (dlgn-vt: none), got {value_input!r}")
    bias = config.get("bias", True)
    if not isinstance(bias, bool):
        raise ValueError(f"model config: bias must be true or false, got {bias!r}")
    return {
        "kind": kind,
        "inputDim": pos_int("inputDim", config.get("inputDim")),
        "widths": [pos_int(f"widths[{i}]", w) for i, w in enumerate(widths)],
        "outputDim": pos_int("outputDim", config.get("outputDim")),
        "bias": bias,
        "features": features,
        "gate": gate,
        "beta": beta,
        "valueInput": value_input,
    }


def _init_linear(layer):
    bound = 1 / math.sqrt(layer.in_features)
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound)
        if layer.bias is not None:
            layer.bias.uniform_(-bound, bound)


class HalfspaceNet(nn.Module):
    """One of halfspace's families; `forward(x)` is the output, `gates(x)` the gate values per layer."""

    def __init__(self, config, dtype=torch.float64):
        super().__init__()
        c = resolve_config(config)
        self.config = c
        d, widths, k, bias = c["inputDim"], c["widths"], c["outputDim"], c["bias"]
        dims = [d] + widths

        def linear(i, o):
            layer = nn.Linear(i, o, bias=bias, dtype=dtype)
            _init_linear(layer)
            return layer

        kind = c["kind"]
        if kind in ("dln", "dnn"):
            self.layers = nn.ModuleList([linear(dims[l], dims[l + 1]) for l in range(len(widths))])
            self.out = linear(dims[-1], k)
            return
        self.gate = nn.ModuleList(
            [linear(d if (c["features"] == "sf" or l == 0) else dims[l], dims[l + 1]) for l in range(len(widths))]
        )
        if kind == "dlgn-vt":
            paths = math.prod(widths)
            bound = 1 / math.sqrt(paths)
            self.value = nn.Parameter(torch.empty([k] + widths, dtype=dtype).uniform_(-bound, bound))
            return
        self.value = nn.ModuleList([linear(dims[l], dims[l + 1]) for l in range(len(widths))])
        self.out = linear(dims[-1], k)

    def _gate(self, z):
        if self.config["gate"] == "hard":
            return (z > 0).to(z.dtype)
        return torch.sigmoid(self.config["beta"] * z)

    def pass_(self, x):
        """(output, [gates of every hidden layer])."""
        c = self.config
        kind = c["kind"]
        gates = []
        if kind in ("dln", "dnn"):
            h = x
            for layer in self.layers:
                z = layer(h)
                if kind == "dnn":
                    gates.append((z > 0).to(z.dtype))
                    h = torch.relu(z)
                else:
                    gates.append(torch.ones_like(z))
                    h = z
            return self.out(h), gates
        a = x
        for layer in self.gate:
            z = layer(x if c["features"] == "sf" else a)
            gates.append(self._gate(z))
            a = torch.relu(z) if kind == "dgn" else z
        if kind == "dlgn-vt":
            n = x.shape[0]
            phi = gates[0]
            for g in gates[1:]:
                phi = (phi.unsqueeze(2) * g.unsqueeze(1)).reshape(n, -1)
            return phi @ self.value.reshape(c["outputDim"], -1).T, gates
        v = torch.ones_like(x) if c["valueInput"] == "ones" else x
        for layer, g in zip(self.value, gates):
            v = g * layer(v)
        return self.out(v), gates

    def forward(self, x):
        return self.pass_(x)[0]

    def gates(self, x):
        with torch.no_grad():
            return self.pass_(x)[1]


def build(config, dtype=torch.float64):
    """An nn.Module for a halfspace config (the `config` of a checkpoint): float64 by default."""
    return HalfspaceNet(config, dtype=dtype)


# ---- safetensors, written directly --------------------------------------------------------------

_DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
_SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2}


def _unwrap(model):
    # DistributedDataParallel and DataParallel keep the network in .module
    return model.module if hasattr(model, "module") and isinstance(model.module, nn.Module) else model


def save_state_dict(tensors, path, metadata=None, dtype="F64"):
    """Writes {name: tensor} as safetensors (in the order given), tensors cast to dtype F64 or F32."""
    if dtype not in ("F64", "F32"):
        raise ValueError(f"save: dtype must be 'F64' or 'F32', got {dtype!r}")
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.detach().to("cpu", _DTYPES[dtype]).contiguous()
        values = t.flatten().tolist()  # Python floats are doubles: exact for F64 and F32
        data = struct.pack(f"<{len(values)}{'d' if dtype == 'F64' else 'f'}", *values)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def canonical_names(model):
    """Parameter names in halfspace's order: gating, value, output (dlgn-vt: its value tensor last)."""
    names = [n for n, _ in _unwrap(model).named_parameters()]
    return [n for n in names if n != "value"] + (["value"] if "value" in names else [])


def save(model, path, dtype="F64"):
    """Saves a HalfspaceNet (or a DDP wrapper of one) as safetensors with its config in the metadata."""
    net = _unwrap(model)
    if not isinstance(net, HalfspaceNet):
        raise TypeError("save: expected a model from halfspace_torch.build (or a DDP/DataParallel wrapper of one)")
    meta = {"format": "pt", "config": json.dumps({f: net.config[f] for f in FIELDS}, separators=(",", ":"))}
    state = net.state_dict()
    save_state_dict({n: state[n] for n in canonical_names(net)}, path, meta, dtype)


def read_safetensors(path):
    """({name: float64 tensor}, metadata): validated as halfspace validates (offsets tile the data)."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"safetensors {path}: file is {len(blob)} bytes, shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > MAX_HEADER_BYTES:
        raise ValueError(f"safetensors {path}: header length {n} is over the cap of {MAX_HEADER_BYTES}")
    if 8 + n > len(blob):
        raise ValueError(f"safetensors {path}: header length {n} runs past the end of the file ({len(blob)} bytes)")

    def no_dupes(pairs):
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError(f"safetensors {path}: duplicate names in the header")
        return dict(pairs)

    header = json.loads(blob[8 : 8 + n].decode("utf-8"), object_pairs_hook=no_dupes)
    metadata = header.pop("__metadata__", {}) or {}
    data = memoryview(blob)[8 + n :]
    end = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        b, e = info["data_offsets"]
        if b != end:
            raise ValueError(f"safetensors {path}: tensor '{name}' begins at {b}, expected {end}")
        dt = info["dtype"]
        if dt not in _SIZES:
            raise ValueError(f"safetensors {path}: tensor '{name}' has dtype {dt}; reads F64, F32, F16, BF16")
        if math.prod(info["shape"]) * _SIZES[dt] != e - b:
            raise ValueError(f"safetensors {path}: tensor '{name}' shape {info['shape']} does not fill [{b}, {e}]")
        end = e
    if end != len(data):
        raise ValueError(f"safetensors {path}: tensors cover {end} of {len(data)} data bytes")
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        dt = _DTYPES[info["dtype"]]
        if e == b:
            t = torch.empty(0, dtype=dt)
        elif sys.byteorder == "little":
            t = torch.frombuffer(bytearray(data[b:e]), dtype=dt)
        elif info["dtype"] in ("F64", "F32"):
            fmt = "d" if info["dtype"] == "F64" else "f"
            t = torch.tensor(struct.unpack(f"<{(e - b) // _SIZES[info['dtype']]}{fmt}", data[b:e]), dtype=torch.float64)
        else:
            raise ValueError(f"safetensors {path}: {info['dtype']} is read on little-endian machines only")
        out[name] = t.reshape(info["shape"]).to(torch.float64)
    return out, metadata


def load(path, config=None, dtype=torch.float64, strict=True):
    """A HalfspaceNet from a safetensors file (config from its metadata unless given)."""
    tensors, metadata = read_safetensors(path)
    if config is None:
        if "config" not in metadata:
            raise ValueError(f"load {path}: no 'config' in __metadata__; pass config=")
        config = json.loads(metadata["config"])
    model = build(config, dtype=dtype)
    model.load_state_dict({k: v.to(dtype) for k, v in tensors.items()}, strict=strict)
    return model
